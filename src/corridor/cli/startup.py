"""What `corridor serve` checks before it starts: that its port is free and that no other
process holds its SQLite store's write lock. A process left over from an earlier run (killed
without its children, say) would otherwise make the start fail late with a bare "address
already in use", or wait on the lock for the store's 30-s busy timeout and then start a
server that cannot write. Both are named with the process holding them, found in /proc."""

from __future__ import annotations

import errno
import socket
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from corridor import processes
from corridor.cli.common import fail
from corridor.i18n import gettext as _

# How long the start waits for the store's write lock: longer than a live writer holds it (an
# import's largest transaction takes about 1.3 s on two cores), short enough to report soon.
LOCK_WAIT_SECONDS = 3.0


def _holders(pids: list[int]) -> str:
    return ", ".join(processes.describe(pid) for pid in pids) if pids else ""


def check_port(host: str, port: int) -> None:
    """Exit with a clear message when `host:port` cannot be bound (taken, or not ours)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        fail(
            _("cannot listen on %(address)s: %(reason)s")
            % {"address": f"{host}:{port}", "reason": exc.strerror}
        )
        return
    family, kind, proto, _name, address = infos[0]
    try:
        with socket.socket(family, kind, proto) as probe:
            # As uvicorn binds: a closed connection's TIME_WAIT does not hold the port.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            fail(
                _("cannot listen on %(address)s: %(reason)s")
                % {"address": f"{host}:{port}", "reason": exc.strerror}
            )
        holders = _holders(processes.port_holders(port))
        said = {"port": port, "host": host, "holders": holders}
        if holders:
            fail(
                _(
                    "port %(port)s on %(host)s is already in use by %(holders)s: stop it (an "
                    "earlier corridor serve or one of its processes?) or choose --port"
                )
                % said
            )
        fail(
            _(
                "port %(port)s on %(host)s is already in use by another process: stop it (an "
                "earlier corridor serve or one of its processes?) or choose --port"
            )
            % said
        )


def check_store(database_url: str) -> None:
    """Exit with a clear message when another process holds the SQLite store's write lock
    for longer than LOCK_WAIT_SECONDS. PostgreSQL serves many writers: nothing to check."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    path = Path(url.database)
    if not path.is_file():
        return  # opening the node reports it
    try:
        conn = sqlite3.connect(path, timeout=LOCK_WAIT_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        fail(_("cannot open the store %(file)s: %(reason)s") % {"file": path, "reason": exc})
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        holders = _holders(processes.lock_holders(files) or processes.file_users(files))
        said = {"file": path, "holders": holders, "seconds": round(LOCK_WAIT_SECONDS)}
        if holders:
            fail(
                _(
                    "the store %(file)s is locked by %(holders)s (waited %(seconds)d s): stop it "
                    "(an earlier corridor serve or worker, or one of their processes?) and start "
                    "again"
                )
                % said
            )
        fail(
            _(
                "the store %(file)s is locked by another process (waited %(seconds)d s): stop it "
                "(an earlier corridor serve or worker, or one of their processes?) and start again"
            )
            % said
        )
    finally:
        conn.close()
