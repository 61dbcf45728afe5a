"""National and regional challenges, routes and thematic commitments (issue 6)."""
