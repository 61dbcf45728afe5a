"""spaces (issue 5)."""
