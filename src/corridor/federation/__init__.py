"""Federation: node cards, peering, transport, delivery (DESIGN.md section 4)."""
