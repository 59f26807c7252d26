"""Reads, always filtered by `edoc.selectors.access`."""
