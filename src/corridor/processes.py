"""Child processes of a node's processes: they die with their parent and hold nothing of it.

`corridor serve` forks helpers (an import's whole-file check and mapping workers, duplicate
detection's scoring pool) and spawns web processes. Killed with SIGKILL, a parent cannot stop
them; a child that lived on would keep the listening socket it inherited (the node could not
start again on its port) and the parent's PostgreSQL connections (with the killed
transaction's locks). So every child asks the kernel to kill it when its parent dies, and a
forked child also replaces the sockets and pipes it inherited by /dev/null.

Linux only (`prctl`, /proc); elsewhere a service manager stops the whole process group."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_LINUX = sys.platform.startswith("linux")


def die_with_parent(sig: int, parent: int | None = None) -> None:
    """Have the kernel send `sig` to this process when its parent ends. `parent`: the pid the
    parent had, if known; else a parent already gone shows as init (pid 1).

    The kernel sends it when the *thread* that forked this process ends: a forking thread
    must outlive its children (an import joins its workers before it returns)."""
    if not _LINUX:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig)
    # The parent may have died before the request above: nothing would be sent then.
    gone = os.getppid() != parent if parent is not None else os.getppid() == 1
    if gone:
        os.kill(os.getpid(), sig)


def forked_child(keep: Iterable[int] | None = None) -> None:
    """First thing in a process forked by multiprocessing: die with the parent (SIGKILL: a
    helper has nothing to save), drop what it inherited and does not use, and watch the
    parent as a fallback.

    `keep`: the pipe descriptors the child uses; every other inherited pipe is dropped too,
    so that each pipe's end is held by one process only and its reader sees EOF when its
    writer dies. None keeps every pipe (a multiprocessing pool's workers share its queues).
    Dropped with them: the end of the pipe that multiprocessing gives the parent as this
    child's `sentinel` (the child cannot tell it apart), so the parent must join such a
    child, not wait on its sentinel."""
    parent = multiprocessing.parent_process()
    die_with_parent(signal.SIGKILL, parent.pid if parent is not None else None)
    kept = set(keep) if keep is not None else None
    if parent is not None and kept is not None:
        kept.add(parent.sentinel)
    release_inherited(kept)
    if kept is not None:
        watch_parent(signal.SIGKILL)


def release_inherited(keep_pipes: set[int] | None) -> int:
    """Replace every inherited socket (the listening port, database and peer connections,
    the node's signal sockets) and every pipe not in `keep_pipes` (all pipes are kept when
    None) by /dev/null; returns how many. Replaced rather than closed: objects of the
    parent's that this process inherited may still close their descriptor when collected,
    and must not close another file that took the same number meanwhile."""
    if not _LINUX:
        return 0
    devnull = os.open(os.devnull, os.O_RDWR)
    replaced = 0
    try:
        for fd in _open_descriptors():
            if fd <= 2 or fd == devnull or (keep_pipes is not None and fd in keep_pipes):
                continue
            try:
                mode = os.fstat(fd).st_mode
            except OSError:  # the listing's own descriptor, closed since
                continue
            pipe = stat.S_ISFIFO(mode)
            if stat.S_ISSOCK(mode) or (pipe and keep_pipes is not None):
                os.dup2(devnull, fd, inheritable=False)
                replaced += 1
    finally:
        os.close(devnull)
    return replaced


def _open_descriptors() -> list[int]:
    return [int(name) for name in os.listdir("/proc/self/fd")]


def watch_parent(sig: int) -> None:
    """The fallback of `die_with_parent` in a process started by multiprocessing (forked or
    spawned): a thread blocked on the parent's sentinel, a pipe whose other end only the
    parent holds (forked siblings drop their copies, see `forked_child`), sends `sig` to this
    process when it reads EOF, should the kernel's signal not come."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait_then_stop() -> None:
        parent.join()
        os.kill(os.getpid(), sig)

    threading.Thread(target=wait_then_stop, name="parent-watch", daemon=True).start()


# --- who holds a port or a file (Linux /proc; empty where it cannot be seen) ----------------


def describe(pid: int) -> str:
    """`pid` with its command line, for messages to the operator."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"process {pid}"
    command = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return f"process {pid} ({command[:200]})" if command else f"process {pid}"


def port_holders(port: int) -> list[int]:
    """The processes holding a TCP socket that listens on `port` (any address)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                # local address "ADDR:PORT" in hex; state 0A is LISTEN
                if (
                    len(fields) > 9
                    and fields[3] == "0A"
                    and int(fields[1].rsplit(":", 1)[1], 16) == port
                ):
                    inodes.add(f"socket:[{fields[9]}]")
    return _holding(lambda target: target in inodes) if inodes else []


def lock_holders(paths: Iterable[Path]) -> list[int]:
    """The other processes holding a write lock (POSIX, as SQLite takes them) on any of
    `paths`: for a SQLite store in WAL mode the writer's lock is on its `-shm` file."""
    files = set()
    for path in paths:
        with contextlib.suppress(OSError):
            st = path.stat()
            files.add(f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}")
    pids: set[int] = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/locks").read_text().splitlines():
            # "1: POSIX  ADVISORY  WRITE 9082 fe:00:2154583 120 120" (a waiter has "->")
            fields = line.split()
            held = len(fields) >= 6 and fields[1:4] == ["POSIX", "ADVISORY", "WRITE"]
            if held and fields[5] in files and fields[4].isdigit():
                pids.add(int(fields[4]))
    pids.discard(os.getpid())
    return sorted(pids)


def file_users(paths: Iterable[Path]) -> list[int]:
    """The other processes that have any of `paths` open."""
    wanted = {str(p.resolve()) for p in paths}
    return _holding(lambda target: target in wanted)


def _holding(match: Callable[[str], bool]) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):  # gone meanwhile, or another user's
            if any(match(os.readlink(fd)) for fd in (entry / "fd").iterdir()):
                pids.append(int(entry.name))
    return sorted(pids)
