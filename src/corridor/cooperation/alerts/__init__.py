"""alerts (issue 5)."""
