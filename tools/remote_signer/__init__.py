"""A small remote signing service (CSC API v1 subset) for tests and development."""
