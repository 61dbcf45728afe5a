"""The hash-chained audit log of every write and every read of sensitive data."""
