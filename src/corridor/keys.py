"""Who this node is: its Ed25519 and X25519 key files (the node id derives from the signing
key), and its id as its store records it, so a store is never used by another key."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Engine, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from corridor.db import Base

SIGNING_FILE = "signing.key"
NODE_ID_FILE = "node_id"
EXCHANGE_FILE = "exchange.key"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# What a node id looks like (node_id_for): wherever a record or a request names a node.
NODE_ID_PATTERN = r"^[a-z2-7]{26}$"
NODE_ID_RE = re.compile(NODE_ID_PATTERN)


def node_id_for(public_key: bytes) -> str:
    """26 lowercase base32 characters of SHA-256(signing public key): stable, self-certifying."""
    digest = hashlib.sha256(public_key).digest()[:16]
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def fingerprint(public_key: bytes) -> str:
    """Human-comparable fingerprint for out-of-band checks (10 groups of 4 hex digits)."""
    digest = hashlib.sha256(public_key).hexdigest()[:40].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 40, 4))


@dataclass(frozen=True)
class NodeKeys:
    signing: Ed25519PrivateKey
    exchange: X25519PrivateKey
    # The node's identity: derived from its first signing key and kept across key rotations.
    node_id: str

    @property
    def signing_public(self) -> bytes:
        return raw_public(self.signing.public_key())

    @property
    def exchange_public(self) -> bytes:
        return self.exchange.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def sign(self, data: bytes) -> bytes:
        return self.signing.sign(data)


def _write_private(path: Path, pem: bytes) -> None:
    # Created 0600 from the start: the key is never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def generate(keys_dir: Path) -> NodeKeys:
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys_dir.chmod(0o700)
    signing = Ed25519PrivateKey.generate()
    keys = NodeKeys(
        signing, X25519PrivateKey.generate(), node_id_for(raw_public(signing.public_key()))
    )
    _write_private(keys_dir / SIGNING_FILE, _pem(keys.signing))
    _write_private(keys_dir / EXCHANGE_FILE, _pem(keys.exchange))
    (keys_dir / NODE_ID_FILE).write_text(keys.node_id + "\n", encoding="ascii")
    return keys


def load(keys_dir: Path) -> NodeKeys:
    signing = serialization.load_pem_private_key((keys_dir / SIGNING_FILE).read_bytes(), None)
    exchange = serialization.load_pem_private_key((keys_dir / EXCHANGE_FILE).read_bytes(), None)
    if not isinstance(signing, Ed25519PrivateKey) or not isinstance(exchange, X25519PrivateKey):
        raise ValueError(f"unexpected key types in {keys_dir}")
    id_file = keys_dir / NODE_ID_FILE
    node_id = (
        id_file.read_text(encoding="ascii").strip()
        if id_file.exists()
        else node_id_for(raw_public(signing.public_key()))
    )
    return NodeKeys(signing, exchange, node_id)


PENDING = ".new"


def write_pending(keys_dir: Path, node_id: str) -> NodeKeys:
    """New key pair written beside the current one (`*.new`), not yet in use."""
    for name in (SIGNING_FILE, EXCHANGE_FILE):
        (keys_dir / (name + PENDING)).unlink(missing_ok=True)
    keys = NodeKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate(), node_id)
    _write_private(keys_dir / (SIGNING_FILE + PENDING), _pem(keys.signing))
    _write_private(keys_dir / (EXCHANGE_FILE + PENDING), _pem(keys.exchange))
    return keys


def pending_public(keys_dir: Path) -> bytes | None:
    path = keys_dir / (SIGNING_FILE + PENDING)
    if not path.exists():
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return raw_public(key.public_key())


def commit_pending(keys_dir: Path, stamp: str) -> None:
    """Retire the current keys (kept, renamed) and put the pending ones in place."""
    for name in (SIGNING_FILE, EXCHANGE_FILE):
        current, new = keys_dir / name, keys_dir / (name + PENDING)
        if new.exists():
            current.rename(keys_dir / f"{name}.retired-{stamp}")
            new.rename(current)


def signing_publics(keys_dir: Path) -> list[bytes]:
    """Public halves of the current signing key and of every retired one (newest first):
    what this node's own records were signed with, read from its key files, not the store."""
    current = load(keys_dir).signing_public
    retired = sorted(keys_dir.glob(f"{SIGNING_FILE}.retired-*"), reverse=True)
    found = [current]
    for path in retired:
        key = serialization.load_pem_private_key(path.read_bytes(), None)
        if isinstance(key, Ed25519PrivateKey):
            found.append(raw_public(key.public_key()))
    return found


def drop_pending(keys_dir: Path) -> None:
    for name in (SIGNING_FILE, EXCHANGE_FILE):
        (keys_dir / (name + PENDING)).unlink(missing_ok=True)


class NodeMeta(Base):
    """Facts about the node kept in its store (its id, so a store is never used by another key)."""

    __tablename__ = "node_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(4096))


_NODE_IDS: dict[str, str] = {}


def own_node_id(session: Session) -> str | None:
    """The id of the node whose store the session works on, for code that has a session but
    not the node (record hooks). A store's node id never changes: asked once per store."""
    cached: str | None = session.info.get("own_node_id")
    if cached is not None:
        return cached
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    store = engine.url.render_as_string(hide_password=True)
    cached = _NODE_IDS.get(store)
    if cached is None:
        cached = session.scalar(select(NodeMeta.value).where(NodeMeta.key == "node_id"))
        if cached is None:
            return None
        _NODE_IDS[store] = cached
    session.info["own_node_id"] = cached
    return cached
