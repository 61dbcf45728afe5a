"""Indicator figures shared as records (`risk.figures`): an aggregate of the indicator store."""
