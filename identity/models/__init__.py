"""Identity's own records (the user model stays in edoc.User)."""
