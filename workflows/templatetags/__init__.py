"""Template tags of the workflows pages."""
