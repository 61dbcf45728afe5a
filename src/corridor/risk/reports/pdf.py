"""HTML to PDF on the server (WeasyPrint), for reports an analyst sends or files as they are.

The document may load only the package's own static files (its stylesheets and the shipped
fonts): every other address is refused, so a report never fetches anything from the network
and a value in it cannot make the server fetch one."""

from __future__ import annotations

import mimetypes
from typing import Any

from corridor.assets import STATIC_DIR as STATIC
from corridor.errors import CorridorError

# The base address the document's "/static/…" links resolve against, served from STATIC.
BASE = "https://corridor.invalid/"


class PdfUnavailable(CorridorError, status=503, title="PDF unavailable", slug="pdf-unavailable"):
    """WeasyPrint or the system libraries it draws with (Pango) are missing."""


def _fetch(url: str) -> Any:
    prefix = BASE + "static/"
    if not url.startswith(prefix):
        raise ValueError(f"a report loads only the package's static files, not {url[:80]}")
    name = url[len(prefix) :].split("?")[0]
    path = (STATIC / name).resolve()
    if STATIC.resolve() not in path.parents or not path.is_file():
        raise ValueError(f"no static file {name[:80]}")
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:  # WeasyPrint 66 and later
        from weasyprint.urls import URLFetcherResponse
    except ImportError:
        return {"string": path.read_bytes(), "mime_type": kind, "filename": path.name}
    return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})


def render(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing on the system
        raise PdfUnavailable(
            "PDF output needs WeasyPrint and the Pango library (Debian: libpango-1.0-0); "
            f"print the page to PDF from the browser instead ({exc})"
        ) from None
    return bytes(HTML(string=html, base_url=BASE, url_fetcher=_fetcher()).write_pdf())


def _fetcher() -> Any:
    """`_fetch` as WeasyPrint takes it: a URLFetcher (66 and later) whose every fetch is ours
    (nothing reaches the network), else the function itself."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:
        return _fetch

    class StaticFiles(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return _fetch(url)

    return StaticFiles()
