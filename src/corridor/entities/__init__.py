"""Entities on the FollowTheMoney model: cases, search, resolution, link analysis."""
