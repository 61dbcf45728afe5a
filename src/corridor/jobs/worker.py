"""The worker loop: in a thread under `corridor serve`, or alone under `corridor worker`."""

from __future__ import annotations

import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from corridor import signals
from corridor.jobs import queue

if TYPE_CHECKING:
    from corridor.node.service import Node

log = logging.getLogger("corridor.worker")


def _wake(_items: list[object]) -> None:
    queue.wakeup.set()


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
        self._pool: ThreadPoolExecutor | None = None

    def run_pending(self) -> int:
        """Claim and run everything due now; returns how many jobs ran."""
        ran = 0
        while not self.stopping.is_set():
            jobs = queue.claim(self.node.db, self.id, limit=self.batch)
            if not jobs:
                return ran
            if len(jobs) == 1 or self.concurrency == 1:
                outcomes = [queue.run(self.node, job) for job in jobs]
            else:
                outcomes = list(self._threads().map(lambda j: queue.run(self.node, j), jobs))
            for job, outcome in zip(jobs, outcomes, strict=True):
                if outcome != "done":
                    log.warning("job %s (%s): %s", job.id, job.kind, outcome)
            ran += len(jobs)
        return ran

    def _threads(self) -> ThreadPoolExecutor:
        # Kept for the worker's life: a fan-out to thirty peers should not start threads.
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="corridor-job")
        return self._pool

    def run_forever(self) -> None:
        # The web processes of the node signal their enqueues (corridor.signals); the poll
        # interval remains for the CLI and for processes on other machines.
        channel = signals.attach(self.node.db.engine, self.node.config.data_dir)
        channel.subscribe(queue.JOBS_TOPIC, _wake)
        try:
            queue.ensure_periodic(self.node.db)
            while not self.stopping.is_set():
                try:
                    self.run_pending()
                except Exception:  # keep the worker alive through a database hiccup
                    log.exception("worker loop error")
                queue.wakeup.wait(self.poll_seconds)
                queue.wakeup.clear()
        finally:
            channel.unsubscribe(queue.JOBS_TOPIC, _wake)
            channel.close()
            if self._pool is not None:
                self._pool.shutdown(wait=False)

    def stop(self) -> None:
        self.stopping.set()
        queue.wakeup.set()

    def start_thread(self) -> threading.Thread:
        t = threading.Thread(target=self.run_forever, name="corridor-worker", daemon=True)
        t.start()
        return t
