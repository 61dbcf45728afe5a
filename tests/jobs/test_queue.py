from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from corridor import signals
from corridor.jobs import queue
from corridor.jobs.models import Job
from corridor.jobs.worker import Worker

CALLS: list[dict[str, Any]] = []
FAILS: dict[str, int] = {}


@queue.handler("test.echo")
def _echo(node, payload: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    CALLS.append(payload)


@queue.handler("test.flaky")
def _flaky(node, payload: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    key = payload["key"]
    FAILS[key] = FAILS.get(key, 0) + 1
    if FAILS[key] <= payload["fail_times"]:
        raise RuntimeError(f"attempt {FAILS[key]} failed")


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()
    FAILS.clear()


def jobs(node) -> list[Job]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return list(session.scalars(select(Job).where(Job.kind.startswith("test."))))


def test_enqueued_job_runs_once_after_commit(node) -> None:  # type: ignore[no-untyped-def]
    queue.wakeup.clear()
    with node.db.transaction() as session:
        queue.enqueue(session, "test.echo", {"n": 1})
    assert queue.wakeup.is_set()
    assert Worker(node).run_pending() == 1
    assert CALLS == [{"n": 1}]
    assert Worker(node).run_pending() == 0
    assert [j.state for j in jobs(node)] == ["done"]


def test_rolled_back_enqueue_never_runs(node) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), node.db.transaction() as session:
        queue.enqueue(session, "test.echo", {"n": 2})
        raise RuntimeError
    assert Worker(node).run_pending() == 0 and jobs(node) == []


def test_unknown_kind_is_refused(node) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError), node.db.transaction() as session:
        queue.enqueue(session, "test.nothing")


def test_retries_with_backoff_then_succeeds(node, shift_clock) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        queue.enqueue(session, "test.flaky", {"key": "a", "fail_times": 2})
    w = Worker(node)
    w.run_pending()
    (job,) = jobs(node)
    assert job.state == "queued" and job.attempts == 1 and "attempt 1 failed" in job.last_error
    assert w.run_pending() == 0  # not due yet: backoff
    shift_clock(timedelta(hours=2))
    w.run_pending()
    shift_clock(timedelta(hours=2))
    w.run_pending()
    (job,) = jobs(node)
    assert job.state == "done" and job.attempts == 3 and FAILS["a"] == 3


def test_gives_up_after_max_attempts_and_can_be_retried(node, shift_clock) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        queue.enqueue(session, "test.flaky", {"key": "b", "fail_times": 99}, max_attempts=3)
    w = Worker(node)
    for _ in range(3):
        w.run_pending()
        shift_clock(timedelta(hours=2))
    (job,) = jobs(node)
    assert job.state == "dead" and job.attempts == 3
    with node.db.transaction() as session:
        queue.retry_dead(session, job.id)
    w.run_pending()
    assert FAILS["b"] == 4


def test_backoff_is_capped_and_jittered() -> None:
    delays = [queue.backoff(a) for a in range(1, 30)]
    assert all(0 < d <= queue.BACKOFF_CAP for d in delays)
    assert delays[-1] >= queue.BACKOFF_CAP / 2
    assert len({round(queue.backoff(5), 6) for _ in range(20)}) > 1


def test_dedupe_key(node) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        assert queue.enqueue(session, "test.echo", {}, dedupe_key="k") is not None
        assert queue.enqueue(session, "test.echo", {}, dedupe_key="k") is None
    Worker(node).run_pending()
    with node.db.transaction() as session:
        assert queue.enqueue(session, "test.echo", {}, dedupe_key="k") is not None


def test_a_crashed_workers_job_is_reclaimed_after_its_lease(node, shift_clock) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        queue.enqueue(session, "test.echo", {"n": 3})
    assert len(queue.claim(node.db, "dead-worker")) == 1  # claimed, never settled
    assert queue.claim(node.db, "other") == []
    shift_clock(queue.LEASE + timedelta(seconds=1))
    assert Worker(node).run_pending() == 1 and CALLS == [{"n": 3}]


def test_concurrent_workers_never_run_a_job_twice(node) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        for i in range(60):
            queue.enqueue(session, "test.echo", {"n": i})
    workers = [Worker(node, batch=3) for _ in range(4)]
    threads = [threading.Thread(target=w.run_pending) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(c["n"] for c in CALLS) == list(range(60))


def test_periodic_jobs_requeue_themselves(node) -> None:  # type: ignore[no-untyped-def]
    queue.ensure_periodic(node.db)
    queue.ensure_periodic(node.db)
    with node.db.transaction() as session:
        periodic = session.scalars(select(Job).where(Job.kind == "records.retention")).all()
    assert len(periodic) == 1
    Worker(node).run_pending()
    with node.db.transaction() as session:
        states = sorted(
            j.state for j in session.scalars(select(Job).where(Job.kind == "records.retention"))
        )
    assert states == ["done", "queued"]


def test_a_retry_keeps_its_key_and_new_work_does_not_pile_up(node, shift_clock) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        queue.enqueue(session, "test.flaky", {"key": "c", "fail_times": 5}, dedupe_key="push:x")
    Worker(node).run_pending()  # fails: queued again with backoff, still keyed
    with node.db.transaction() as session:
        for _ in range(3):
            assert (
                queue.enqueue(
                    session, "test.flaky", {"key": "c", "fail_times": 5}, dedupe_key="push:x"
                )
                is None
            )
        keyed = session.scalars(select(Job).where(Job.dedupe_key == "push:x")).all()
    assert (
        len(keyed) == 1 and keyed[0].state == "queued" and keyed[0].run_after > keyed[0].updated_at
    )


def test_periodic_jobs_marked_at_start_are_due_when_a_worker_starts(node) -> None:  # type: ignore[no-untyped-def]
    from corridor import clock

    queue.ensure_periodic(node.db)
    with node.db.transaction() as session:
        retention = session.scalars(select(Job).where(Job.kind == "records.retention")).one()
        retention.run_after = clock.now() + timedelta(minutes=4)  # scheduled before a restart
    queue.ensure_periodic(node.db)
    with node.db.transaction() as session:
        retention = session.scalars(select(Job).where(Job.kind == "records.retention")).one()
    assert retention.run_after <= clock.now()


# --- wake-ups across the processes of a node (corridor.signals) ---------------------------

WOKEN = threading.Event()


@queue.handler("test.wake")
def _wake(node, payload: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    WOKEN.set()


def test_a_commit_that_queued_a_job_signals_the_other_processes(node) -> None:  # type: ignore[no-untyped-def]
    here = signals.attach(node.db.engine, node.config.data_dir)
    other = signals.Channel("worker process").attach(node.config.data_dir)
    heard, marker = threading.Event(), threading.Event()
    other.subscribe(queue.JOBS_TOPIC, lambda _items: heard.set())
    other.subscribe("marker", lambda _items: marker.set())
    try:
        with node.db.transaction() as session:
            session.info["probe"] = True  # a commit that queued nothing sends nothing
        here.send("marker")  # datagrams from one process to another arrive in order
        assert marker.wait(10) and not heard.is_set()
        with node.db.transaction() as session:
            queue.enqueue(session, "test.echo", {"n": 9})
        assert heard.wait(10)
    finally:
        other.close()
        here.close()


def test_a_job_queued_by_another_process_wakes_the_worker_at_once(node) -> None:  # type: ignore[no-untyped-def]
    """Without its signal the worker would sleep an hour (its poll interval here)."""
    WOKEN.clear()
    worker = Worker(node, poll_seconds=3600)
    thread = worker.start_thread()
    web = signals.Channel("web process").attach(node.config.data_dir)
    here = signals.channel(node.db.engine)
    try:
        assert _idle(node, here)
        with node.db.transaction() as session:
            queue.enqueue(session, "test.wake", {})
            session.info.pop("jobs_enqueued")  # as if committed elsewhere: no wake-up here
        web.send(queue.JOBS_TOPIC)  # what that process's commit sends
        assert WOKEN.wait(10)
    finally:
        web.close()
        worker.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert not here.listening  # the worker's socket is gone with it


def _idle(node, channel: signals.Channel) -> bool:  # type: ignore[no-untyped-def]
    """The worker listens and has run what was due at its start."""
    pause = threading.Event()
    for _ in range(1000):
        with node.db.reading() as session:
            busy = {k: v for k, v in queue.counts(session).items() if k in ("queued", "running")}
        if channel.listening and not any(busy.values()) and not queue.wakeup.is_set():
            return True
        pause.wait(0.01)
    return False


def test_enqueue_each_queues_one_job_per_key_not_yet_queued(node) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        queue.enqueue(session, "test.echo", {"n": "a"}, dedupe_key="k:a")
    with node.db.transaction() as session:
        queue.enqueue_each(
            session, "test.echo", {"k:a": {"n": "a2"}, "k:b": {"n": "b"}, "k:c": {"n": "c"}}
        )
        queue.enqueue_each(session, "test.echo", {"k:b": {"n": "b2"}})  # same transaction
    queued = sorted((j.dedupe_key, j.payload["n"]) for j in jobs(node))
    assert queued == [("k:a", "a"), ("k:b", "b"), ("k:c", "c")]
    assert Worker(node).run_pending() == 3
    with node.db.transaction() as session:  # none is queued any more: all three again
        queue.enqueue_each(session, "test.echo", {f"k:{x}": {"n": x} for x in "abc"})
    assert len([j for j in jobs(node) if j.state == "queued"]) == 3
    with pytest.raises(ValueError), node.db.transaction() as session:
        queue.enqueue_each(session, "test.unknown", {"k": {}})
