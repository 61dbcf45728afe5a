"""Forked helpers die with their parent and hold none of its sockets or others' pipes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from multiprocessing.connection import Connection

import pytest

from corridor import processes

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie nobody reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _report_descriptors(out: Connection) -> None:
    processes.forked_child(keep=[out.fileno()])
    targets = []
    for name in os.listdir("/proc/self/fd"):
        try:
            targets.append(os.readlink(f"/proc/self/fd/{name}"))
        except OSError:
            continue
    out.send(targets)
    out.close()


def _target(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def test_a_forked_child_drops_inherited_sockets_and_other_pipes() -> None:
    ctx = multiprocessing.get_context("fork")
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        other_read, other_write = os.pipe()  # another child's pipe, say
        receive, send = ctx.Pipe(duplex=False)
        try:
            proc = ctx.Process(target=_report_descriptors, args=(send,))
            proc.start()
            send.close()
            assert receive.poll(30)
            seen = set(receive.recv())
            proc.join(30)
            assert proc.exitcode == 0
            assert _target(listening.fileno()) not in seen
            assert _target(other_read) not in seen and _target(other_write) not in seen
            assert _target(receive.fileno()) in seen  # the child's own pipe, kept
        finally:
            receive.close()
            os.close(other_read)
            os.close(other_write)


PARENT = textwrap.dedent(
    """
    import multiprocessing, sys, threading
    from corridor import processes

    if sys.argv[1] == "watch-only":  # as if the kernel's signal never came
        processes.die_with_parent = lambda *args, **kwargs: None
    if sys.argv[1] == "pdeathsig-only":
        processes.watch_parent = lambda *args, **kwargs: None

    def helper():
        processes.forked_child(keep=[])
        threading.Event().wait()

    if __name__ == "__main__":
        child = multiprocessing.get_context("fork").Process(target=helper, daemon=True)
        child.start()
        print(child.pid, flush=True)
        sys.stdin.read()
    """
)


@pytest.mark.parametrize("mechanism", ["pdeathsig-only", "watch-only"])
def test_a_forked_child_dies_with_its_parent(mechanism: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script), mechanism],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert alive(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        assert wait_gone(child, 5), f"the helper {child} outlived its parent ({mechanism})"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
