"""Petitions and their signatures: starting and closing a petition, signing, confirming."""
