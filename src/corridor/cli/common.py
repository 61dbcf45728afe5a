"""What every command shares: --data-dir, opening the node, clear errors and exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from corridor.config import resolve_data_dir
from corridor.errors import CorridorError

console = Console(soft_wrap=True)  # messages are never cut or wrapped: scripts read them
err_console = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Node data directory (default: $CORRIDOR_HOME, else ./corridor-data).",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def clear_errors(fn: F) -> F:
    """Domain errors become one readable line and a non-zero exit, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CorridorError as exc:
            detail = exc.detail
            errors = exc.extra.get("errors")
            if errors:
                detail += "; " + "; ".join(
                    f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in errors
                )
            fail(detail)

    return wrapper  # type: ignore[return-value]


@contextmanager
def opened(data_dir: Path | None, *, check_schema: bool = True) -> Iterator[Any]:
    from corridor.node.service import open_node

    node = open_node(resolve_data_dir(data_dir), check_schema=check_schema)
    try:
        yield node
    finally:
        node.close()


def table(*columns: str) -> Table:
    """A table that folds long values instead of cutting them (e-mails, ids, handles)."""
    t = Table()
    for c in columns:
        t.add_column(c, overflow="fold")
    return t
