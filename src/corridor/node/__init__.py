"""The node's own identity: keys, node id, node card."""
