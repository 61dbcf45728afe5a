"""Secure messages between agencies: the first module on federation (a police-cooperation
message channel with labels, attachments, threads and receipts)."""
