"""Durable job queue in the store, drained by workers (in-process or separate)."""
