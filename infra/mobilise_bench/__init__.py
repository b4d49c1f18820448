"""Benchmarks of Mobilise: `make bench`."""
