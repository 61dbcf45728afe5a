"""Every table of the node, imported in one place for Alembic and for `create_all` in tests."""

# The cooperation module's tables (each sub-package declares its own on import).
import corridor.cooperation.alerts.models
import corridor.cooperation.directory.models
import corridor.cooperation.notifications.models
import corridor.cooperation.requests.models
import corridor.cooperation.spaces.models  # noqa: F401
from corridor.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from corridor.db import Base
from corridor.entities.models import (
    Case,
    CaseChart,
    CaseFile,
    CaseMember,
    CaseNote,
    CaseTask,
    Entity,
    EntityIndex,
    ImportRun,
    MatchCandidate,
    SavedMapping,
    Statement,
)
from corridor.federation.models import OutboxItem, Peer, SeenNonce
from corridor.federation.receipts import Receipt
from corridor.jobs.models import Job
from corridor.mapping.challenges.models import ChallengeRow
from corridor.mapping.commitments.models import ActionRow, CommitmentRow, EndorsementRow
from corridor.mapping.routes.models import RouteRow
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
