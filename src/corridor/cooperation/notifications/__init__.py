"""notifications (issue 5)."""
