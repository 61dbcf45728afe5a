"""directory (issue 5)."""
