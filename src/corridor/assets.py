"""The front-end libraries shipped in the package (web/static/vendor/, no CDN at run time).

Templates build their <script>/<link> URLs from `VENDOR` (the template global `vendor`), so
upgrading a library means changing this one place (and the folder); modules that read a
vendored file on the server (the world atlas) find it under `VENDOR_DIR`."""

from __future__ import annotations

from pathlib import Path

VENDOR: dict[str, str] = {
    "leaflet": "leaflet-1.9.4",
    "echarts": "echarts-6.1.0",
    "topojson": "topojson-client-3.1.0",
    "world_atlas": "world-atlas-2.0.2",
}
# The static files the web layer serves at /static (and the PDF renderer reads).
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
