"""Writes. Every change to the registry goes through a function here, inside a transaction,
and leaves one audit entry."""
