"""What every command shares: --data-dir, opening the node, clear errors and exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from corridor.config import resolve_data_dir
from corridor.errors import CorridorError

if TYPE_CHECKING:
    from corridor.node.service import Node

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

# A file to write, `-` for standard output (exports, the node's card).
Output = Annotated[Path, typer.Option("--output", "-o", help="File to write ('-' = stdout).")]
# Listings print a table for people, or JSON lines for scripts.
AsJson = Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")]

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def clear_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Domain errors become one readable line and a non-zero exit, never a traceback."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
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

    return wrapper


@contextmanager
def opened(data_dir: Path | None, *, check_schema: bool = True) -> Iterator[Node]:
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
