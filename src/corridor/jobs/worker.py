"""The worker loop: in a thread under `corridor serve`, or alone under `corridor worker`."""

from __future__ import annotations

import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from corridor.jobs import queue

if TYPE_CHECKING:
    from corridor.node.service import Node

log = logging.getLogger("corridor.worker")


class Worker:
    """Runs claimed jobs on a few threads at once: most jobs wait on peers (HTTP), and a
    message to thirty partners must not go out one partner after another."""

    def __init__(
        self, node: Node, *, poll_seconds: float = 2.0, batch: int = 16, concurrency: int = 8
    ) -> None:
        self.node = node
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.concurrency = concurrency
        self.id = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:80]
        self.stopping = threading.Event()

    def run_pending(self) -> int:
        """Claim and run everything due now; returns how many jobs ran."""
        ran = 0
        while not self.stopping.is_set():
            ids = queue.claim(self.node.db, self.id, limit=self.batch)
            if not ids:
                return ran
            if len(ids) == 1 or self.concurrency == 1:
                outcomes = [queue.run(self.node, job_id) for job_id in ids]
            else:
                with ThreadPoolExecutor(min(self.concurrency, len(ids))) as pool:
                    outcomes = list(pool.map(lambda j: queue.run(self.node, j), ids))
            for job_id, outcome in zip(ids, outcomes, strict=True):
                if outcome != "done":
                    log.warning("job %s: %s", job_id, outcome)
            ran += len(ids)
        return ran

    def run_forever(self) -> None:
        queue.ensure_periodic(self.node.db)
        while not self.stopping.is_set():
            try:
                self.run_pending()
            except Exception:  # keep the worker alive through a database hiccup
                log.exception("worker loop error")
            # Wait for a local enqueue or the poll interval (other processes enqueue too).
            queue.wakeup.wait(self.poll_seconds)
            queue.wakeup.clear()

    def stop(self) -> None:
        self.stopping.set()
        queue.wakeup.set()

    def start_thread(self) -> threading.Thread:
        t = threading.Thread(target=self.run_forever, name="corridor-worker", daemon=True)
        t.start()
        return t
