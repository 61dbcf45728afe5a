from __future__ import annotations

from sqlalchemy import BigInteger, Engine, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from corridor.db import Base


class NodeMeta(Base):
    """Facts about the node kept in its store (its id, so a store is never used by another key)."""

    __tablename__ = "node_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(4096))


class Counter(Base):
    """Monotonic counters (record seq); incremented under the row lock of the transaction."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


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
