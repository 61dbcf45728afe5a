"""CIRAM-style risk assessments: records a Risk Analysis Unit writes and shares (ciram.py)."""
