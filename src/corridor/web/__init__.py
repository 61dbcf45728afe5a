"""The node's faces over HTTP: web UI (Jinja2 + HTMX) and REST API under /api/v1."""
