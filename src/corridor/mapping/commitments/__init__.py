"""Thematic commitments: a commitment, each member's endorsement of it and its own actions with
milestones, indicators and progress updates; the dashboard and the per-country scorecards."""
