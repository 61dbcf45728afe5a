"""requests (issue 5)."""
