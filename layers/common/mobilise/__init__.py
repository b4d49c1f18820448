"""Mobilise: keep a petition's signers informed and mobilised through updates.

The domain package shared by every Lambda function (shipped as the common layer).
"""
