"""What every command shares: --data-dir, opening the node, the operator's language, clear
errors and exit codes."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor import formats, i18n
from corridor.config import resolve_data_dir
from corridor.errors import CorridorError
from corridor.i18n import gettext as _

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

# Where the operator's language is read, first set first: corridor's own, then POSIX's.
LANGUAGE_VARIABLES = ("CORRIDOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The catalogue the CLI speaks: the first of LANGUAGE_VARIABLES that is set ("ur_PK.UTF-8"
    reads as "ur"; "C" and "POSIX" as English), if corridor has that catalogue, else English."""
    env = os.environ if environ is None else environ
    value = next((v for v in (env.get(k, "").strip() for k in LANGUAGE_VARIABLES) if v), "")
    tag = value.split(".")[0].split("@")[0]  # ll_CC.ENCODING@modifier
    if tag in ("", "C", "POSIX"):
        return i18n.DEFAULT
    primary = tag.replace("-", "_").split("_")[0].lower()
    return i18n.negotiate(None, preferred=primary)


def use_cli_language() -> str:
    """Speak the operator's language from now on (messages, dates, numbers)."""
    lang = cli_language()
    i18n.activate(lang)
    formats.activate(formats.Reader(lang))
    return lang


def in_english(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`fn` worded in English whatever the operator's language: what scripts read (--json)."""

    def run() -> R:
        i18n.activate(i18n.DEFAULT)
        formats.activate(formats.Reader())
        return fn(*args, **kwargs)

    return contextvars.copy_context().run(run)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print the message (plain text, never markup) after "error:", exit with `code`."""
    error = _("error:")  # (not inside the f-string: the extraction would not find it)
    err_console.print(
        f"[bold red]{escape(error)}[/] {escape(message)}", highlight=False, soft_wrap=True
    )
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
