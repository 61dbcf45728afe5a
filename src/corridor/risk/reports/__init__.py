"""The monthly risk analysis: a page and a PDF drawn from the indicator store."""
