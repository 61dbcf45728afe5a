"""`corridor serve` and `corridor worker`: running the node."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from corridor.cli.common import DataDir, clear_errors, console, fail, opened
from corridor.config import is_initialised, load_config, resolve_data_dir
from corridor.i18n import gettext as _
from corridor.i18n import ngettext
from corridor.logs import setup_logging


def default_workers() -> int:
    """Web processes by default: one per CPU this process may use, at most 4 (each is one
    Python interpreter; more would mostly add memory and SQLite lock waits)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(4, usable))


@clear_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    worker: Annotated[bool, typer.Option(help="Run the job worker in this process.")] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Web processes (default: the usable CPUs, at most 4). With more than one, "
            "a supervisor process runs the job worker and restarts web processes that die; "
            "1 serves everything from this one process.",
            show_default=False,
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option(help="PEM certificate (chain) to serve HTTPS directly.")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the web UI and the API (and, by default, run the worker in-process)."""
    import uvicorn

    from corridor.cli.startup import check_port, check_store
    from corridor.jobs.worker import Worker
    from corridor.node.service import open_node
    from corridor.web.app import SERVE_DATA_DIR_ENV, create_app

    if (tls_cert is None) != (tls_key is None):
        fail(_("--tls-cert and --tls-key go together"))
    for f in (tls_cert, tls_key):
        if f is not None and not f.is_file():
            fail(_("%(file)s is not a readable file") % {"file": f})
    setup_logging()
    target = resolve_data_dir(data_dir)
    # Before anything binds or opens: a leftover process holding either is named at once.
    check_port(host, port)
    if is_initialised(target):
        check_store(load_config(target).database_url)
    node = open_node(target)
    processes = workers or default_workers()
    serving = ngettext(
        "corridor node %(name)s on %(url)s (login: /login; %(n)d web process)",
        "corridor node %(name)s on %(url)s (login: /login; %(n)d web processes)",
        processes,
    )
    console.print(
        escape(serving)
        % {
            "name": f"[bold]{escape(node.config.name)}[/]",
            "url": escape(f"{'https' if tls_cert else 'http'}://{host}:{port}/"),
            "n": processes,
        },
        highlight=False,
    )
    run = functools.partial(
        uvicorn.run,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=3,  # open event streams must not hold a shutdown
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )
    if processes == 1:
        run(create_app(node, run_worker=worker))
        return
    # uvicorn starts each web process afresh and calls the factory there; this process
    # supervises them and runs the one job worker (claims are safe with several, but one
    # worker per node keeps polling and lock waits down). It tells the web processes about
    # queued jobs and they tell it, through corridor.signals.
    os.environ[SERVE_DATA_DIR_ENV] = str(node.config.data_dir)
    job_worker = Worker(node) if worker else None
    thread = job_worker.start_thread() if job_worker is not None else None
    try:
        run("corridor.web.app:web_process_app", factory=True, workers=processes)
    finally:
        if job_worker is not None and thread is not None:
            job_worker.stop()
            thread.join(timeout=5)  # let a running job settle its state
        node.close()


@clear_errors
def worker_cmd(
    once: Annotated[bool, typer.Option(help="Run what is due now, then exit.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Drain the job queue (a separate process in production; several are safe on PostgreSQL)."""
    from corridor.jobs.worker import Worker

    setup_logging()
    with opened(data_dir) as node:
        w = Worker(node)
        if once:
            done = w.run_pending()
            console.print(
                ngettext("%(n)d job run", "%(n)d jobs run", done) % {"n": done}, highlight=False
            )
            return
        try:
            w.run_forever()
        except KeyboardInterrupt:
            w.stop()
