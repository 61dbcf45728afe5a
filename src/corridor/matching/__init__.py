"""Hit/no-hit across the network without disclosure (DESIGN.md section 5)."""
