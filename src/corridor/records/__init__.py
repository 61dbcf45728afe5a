"""Records: the one way anything crosses a node boundary (DESIGN.md section 2)."""
