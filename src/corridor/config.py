"""Node configuration: where the data directory is and what `corridor init` wrote into it."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from corridor.errors import CorridorError

CONFIG_FILE = "node.toml"
DEFAULT_URL = "http://127.0.0.1:8080"


class NotInitialised(CorridorError):
    title = "Node not initialised"
    type_slug = "not-initialised"


@dataclass(frozen=True)
class Limits:
    """Documented input limits (README, "Limits"); every face enforces the same numbers."""

    max_body_bytes: int = 1 * 1024 * 1024
    # Node-to-node batches carry many records (and, later, attachments).
    max_federation_bytes: int = 32 * 1024 * 1024
    # Messages carry attachments (10 MiB in all, base64 in JSON).
    max_message_bytes: int = 16 * 1024 * 1024
    # Spreadsheets and FtM files imported into a case, and files kept with a case.
    max_import_bytes: int = 200 * 1024 * 1024
    max_case_file_bytes: int = 20 * 1024 * 1024
    max_json_depth: int = 32
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    password_min_length: int = 12


@dataclass(frozen=True)
class Deadlines:
    """Default answer clocks of a request for assistance, in hours, by urgency (node.toml
    `[requests.deadlines]`; networks agree on them, every node sets the same)."""

    urgent: int = 8
    normal: int = 72
    routine: int = 168

    def hours(self, urgency: str) -> int:
        return int(getattr(self, urgency))


@dataclass(frozen=True)
class MatchingLimits:
    """How many hit/no-hit evaluations one peer may ask of this node (node.toml `[matching]`):
    what bounds a member testing guesses through the evaluation endpoint."""

    per_minute: int = 60_000
    per_day: int = 1_000_000


@dataclass(frozen=True)
class Smtp:
    """Outgoing e-mail for notifications (node.toml `[smtp]`); the password comes from the
    environment variable CORRIDOR_SMTP_PASSWORD or a file readable by the node's owner only."""

    host: str
    port: int = 587
    sender: str = ""
    security: str = "starttls"  # starttls | ssl | none (a relay on the same host)
    username: str | None = None
    password_file: str | None = None

    def password(self) -> str | None:
        env = os.environ.get("CORRIDOR_SMTP_PASSWORD")
        if env:
            return env
        if self.password_file:
            return Path(self.password_file).read_text(encoding="utf-8").strip()
        return None


@dataclass(frozen=True)
class NodeConfig:
    data_dir: Path
    name: str
    org: str
    country: str
    url: str
    database_url: str
    limits: Limits = field(default_factory=Limits)
    deadlines: Deadlines = field(default_factory=Deadlines)
    matching: MatchingLimits = field(default_factory=MatchingLimits)
    smtp: Smtp | None = None

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def secure_cookies(self) -> bool:
        return self.url.startswith("https://")


def resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> Path:
    """--data-dir, else $CORRIDOR_HOME, else ./corridor-data."""
    if data_dir:
        return Path(data_dir).expanduser().resolve()
    env = os.environ.get("CORRIDOR_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return (Path.cwd() / "corridor-data").resolve()


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'corridor.db'}"


def is_initialised(data_dir: Path) -> bool:
    return (data_dir / CONFIG_FILE).exists()


def write_config(
    data_dir: Path, *, name: str, org: str, country: str, url: str, database_url: str | None
) -> None:
    # json.dumps yields valid TOML basic strings for any text we accept.
    lines = [
        "# Written by `corridor init`. Edit with care: peers know this node by its keys.",
        f"name = {json.dumps(name, ensure_ascii=False)}",
        f"org = {json.dumps(org, ensure_ascii=False)}",
        f"country = {json.dumps(country)}",
        f"url = {json.dumps(url)}",
    ]
    if database_url:
        lines.append(f"database_url = {json.dumps(database_url)}")
    path = data_dir / CONFIG_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)  # may hold database credentials


def load_config(data_dir: Path) -> NodeConfig:
    path = data_dir / CONFIG_FILE
    if not path.exists():
        raise NotInitialised(
            f"No node in {data_dir}: run `corridor init --data-dir {data_dir} ...` first."
        )
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    database_url = (
        os.environ.get("CORRIDOR_DATABASE_URL") or raw.get("database_url") or sqlite_url(data_dir)
    )
    return NodeConfig(
        data_dir=data_dir,
        name=raw["name"],
        org=raw["org"],
        country=raw["country"],
        url=raw.get("url", DEFAULT_URL),
        database_url=database_url,
        deadlines=_deadlines(raw.get("requests", {}).get("deadlines", {}), path),
        matching=_matching(raw.get("matching", {}), path),
        smtp=_smtp(raw.get("smtp"), path),
    )


def _matching(raw: dict[str, object], path: Path) -> MatchingLimits:
    unknown = set(raw) - {"per_minute", "per_day"}
    if unknown:
        raise CorridorError(f"{path}: [matching] knows per_minute, per_day, not {sorted(unknown)}")
    for key, value in raw.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10**9:
            raise CorridorError(f"{path}: [matching] {key} is a number of evaluations (1-10⁹)")
    return MatchingLimits(**raw)  # type: ignore[arg-type]


def _deadlines(raw: dict[str, object], path: Path) -> Deadlines:
    unknown = set(raw) - {"urgent", "normal", "routine"}
    if unknown:
        raise CorridorError(
            f"{path}: [requests.deadlines] knows urgent, normal, routine, not {sorted(unknown)}"
        )
    for key, value in raw.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 24 * 90:
            raise CorridorError(f"{path}: [requests.deadlines] {key} is a number of hours (1-2160)")
    return Deadlines(**raw)  # type: ignore[arg-type]


def _smtp(raw: object, path: Path) -> Smtp | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("host"), str):
        raise CorridorError(f'{path}: [smtp] needs host = "..."')
    allowed = {"host", "port", "sender", "security", "username", "password_file"}
    unknown = set(raw) - allowed
    if unknown:
        raise CorridorError(f"{path}: [smtp] knows {sorted(allowed)}, not {sorted(unknown)}")
    if raw.get("security", "starttls") not in ("starttls", "ssl", "none"):
        raise CorridorError(f"{path}: [smtp] security is starttls, ssl or none")
    return Smtp(**raw)
