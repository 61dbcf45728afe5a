"""Every table of the node, imported in one place for Alembic and for `create_all` in tests."""

# The cooperation module's tables (each sub-package declares its own on import).
import corridor.cooperation.alerts.models
import corridor.cooperation.directory.models
import corridor.cooperation.notifications.models
import corridor.cooperation.requests.models
import corridor.cooperation.spaces.models  # noqa: F401
from corridor.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from corridor.db import Base
from corridor.entities.analysis.models import CaseChart
from corridor.entities.cases.models import CaseFile, CaseNote, CaseTask
from corridor.entities.imports.models import ImportRun, SavedMapping
from corridor.entities.models import Case, CaseMember, Entity, EntityIndex, Statement
from corridor.entities.resolution.models import MatchCandidate
from corridor.federation.models import OutboxItem, Peer, SeenNonce
from corridor.federation.receipts import Receipt
from corridor.jobs.models import Job
from corridor.mapping.models import (
    ActionRow,
    ChallengeRow,
    CommitmentRow,
    EndorsementRow,
    RouteRow,
)
from corridor.messages.models import Message
from corridor.node.models import Counter, NodeMeta
from corridor.records.models import RecordVersion, StoredRecord
from corridor.security.models import ApiToken, Unit, User, WebSession

__all__ = [
    "ActionRow",
    "ApiToken",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "CaseChart",
    "CaseFile",
    "CaseMember",
    "CaseNote",
    "CaseTask",
    "ChallengeRow",
    "CommitmentRow",
    "Counter",
    "EndorsementRow",
    "Entity",
    "EntityIndex",
    "ImportRun",
    "Job",
    "MatchCandidate",
    "Message",
    "NodeMeta",
    "OutboxItem",
    "Peer",
    "Receipt",
    "RecordVersion",
    "RouteRow",
    "SavedMapping",
    "SeenNonce",
    "Statement",
    "StoredRecord",
    "Unit",
    "User",
    "WebSession",
]
