"""Every table of the node, loaded from the modules' manifests, for Alembic and for
`create_all` in tests."""

from corridor.db import Base
from corridor.modules import load_tables

load_tables()

__all__ = ["Base"]
