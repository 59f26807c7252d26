"""Payments (layer 5): payment orders for dossiers' fees and other services, provider callbacks,
electronic receipts, counter cash book."""
