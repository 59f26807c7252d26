"""Writes of the identity app (in transactions, audited)."""
