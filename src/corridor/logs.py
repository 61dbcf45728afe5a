"""Logging of a node's processes (server, worker, CLI): one format, to standard error."""

from __future__ import annotations

import logging
import sys


def setup_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request at INFO: a line per push and pull to every peer, which costs
    # CPU in a busy network and says nothing that the peer status page does not.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
