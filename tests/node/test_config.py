"""node.toml sections beyond the identity: request-for-assistance clocks and outgoing e-mail."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.config import Deadlines, load_config, write_config
from corridor.errors import CorridorError


def node_toml(tmp_path: Path, extra: str) -> Path:
    write_config(
        tmp_path, name="N", org="O", country="GR", url="http://127.0.0.1:8080", database_url=None
    )
    path = tmp_path / "node.toml"
    path.write_text(path.read_text() + extra)
    return tmp_path


def test_defaults(tmp_path: Path) -> None:
    cfg = load_config(node_toml(tmp_path, ""))
    assert cfg.deadlines == Deadlines() and cfg.deadlines.hours("urgent") == 8
    assert cfg.deadlines.hours("routine") == 168 and cfg.smtp is None


def test_sections_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret\n")
    cfg = load_config(
        node_toml(
            tmp_path,
            "[requests.deadlines]\nurgent = 4\n"
            f'[smtp]\nhost = "mail.example"\nport = 465\nsecurity = "ssl"\n'
            f'sender = "corridor@hcg.example"\nusername = "corridor"\npassword_file = "{secret}"\n',
        )
    )
    assert cfg.deadlines.hours("urgent") == 4 and cfg.deadlines.hours("normal") == 72
    assert cfg.smtp is not None and cfg.smtp.port == 465 and cfg.smtp.password() == "s3cret"
    monkeypatch.setenv("CORRIDOR_SMTP_PASSWORD", "from-env")
    assert cfg.smtp.password() == "from-env"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("[requests.deadlines]\nurgent = 0\n", "number of hours"),
        ("[requests.deadlines]\nurgent = true\n", "number of hours"),
        ("[requests.deadlines]\nsoon = 3\n", "not ['soon']"),
        ("[smtp]\nport = 25\n", "needs host"),
        ('[smtp]\nhost = "m"\nsecurity = "tls13"\n', "starttls, ssl or none"),
        ('[smtp]\nhost = "m"\npassword = "inline"\n', "not ['password']"),
    ],
)
def test_bad_sections_are_refused_clearly(tmp_path: Path, extra: str, needle: str) -> None:
    with pytest.raises(CorridorError, match=needle.replace("[", r"\[").replace("]", r"\]")):
        load_config(node_toml(tmp_path, extra))
