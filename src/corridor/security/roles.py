"""Roles, what each may do, and which purposes of data each may see.

Enforced in the service layer, so the web UI, the API and the CLI obey the same rules."""

from __future__ import annotations

from enum import StrEnum

from corridor.i18n import N_, NC_


class Role(StrEnum):
    administrator = "administrator"
    analyst = "analyst"
    investigator = "investigator"
    liaison_officer = "liaison_officer"
    protection_officer = "protection_officer"
    # Leads the protection team: reads its access log, reviews break-glass access.
    protection_supervisor = "protection_supervisor"
    viewer = "viewer"


ROLE_LABELS = {
    Role.administrator: N_("Administrator"),
    Role.analyst: N_("Analyst"),
    Role.investigator: N_("Investigator"),
    Role.liaison_officer: N_("Liaison officer"),
    Role.protection_officer: N_("Protection officer"),
    Role.protection_supervisor: N_("Protection supervisor"),
    Role.viewer: N_("Viewer"),
}

# Purpose limitation (DOMAIN.md): protection data never reaches enforcement roles, and the
# administrator runs the node without reading operational data beyond cooperation.
ROLE_PURPOSES: dict[Role, frozenset[str]] = {
    Role.administrator: frozenset({"cooperation"}),
    Role.analyst: frozenset({"cooperation", "enforcement", "risk-analysis"}),
    Role.investigator: frozenset({"cooperation", "enforcement", "risk-analysis"}),
    Role.liaison_officer: frozenset({"cooperation", "enforcement"}),
    Role.protection_officer: frozenset({"cooperation", "protection"}),
    Role.protection_supervisor: frozenset({"cooperation", "protection"}),
    Role.viewer: frozenset({"cooperation", "risk-analysis"}),
}
ENFORCEMENT_ROLES = frozenset({Role.analyst, Role.investigator, Role.liaison_officer})
RISK_ROLES = frozenset(r for r, purposes in ROLE_PURPOSES.items() if "risk-analysis" in purposes)
# The roles that produce operational data (not the administrator, not the viewer).
PROTECTION_ROLES = frozenset({Role.protection_officer, Role.protection_supervisor})
WORKING_ROLES = ENFORCEMENT_ROLES | PROTECTION_ROLES

# permission -> (roles that hold it, API token scope it needs)
PERMISSIONS: dict[str, tuple[frozenset[Role], str]] = {
    "node.manage": (frozenset({Role.administrator}), "admin"),
    "users.manage": (frozenset({Role.administrator}), "admin"),
    "audit.read": (frozenset({Role.administrator}), "admin"),
    "jobs.manage": (frozenset({Role.administrator}), "admin"),
    "records.read": (frozenset(Role), "read"),
    "records.write": (frozenset(Role) - {Role.viewer}, "write"),
    "account.self": (frozenset(Role), "read"),
    # Changing one's own account: preferences, notices read, tokens, password, second factor.
    "account.write": (frozenset(Role), "write"),
    # Investigation data (cases and entities); which cases a user sees is membership-based.
    "entities.read": (frozenset(Role) - {Role.administrator}, "read"),
    "entities.write": (WORKING_ROLES, "write"),
    "entities.import": (WORKING_ROLES, "write"),
    "entities.export": (WORKING_ROLES, "read"),
    # Challenges, routes and commitments are read by every role (records.read).
    "mapping.write": (WORKING_ROLES, "write"),
    # Checking a travel document's MRZ: the front line (computes an answer, stores nothing
    # but its audit entry, so a read token may).
    "documents.check": (WORKING_ROLES, "read"),
    # Hit/no-hit across the network: partners evaluate for us and are told of each hit (a
    # record we sign), so a write credential; enforcement roles only, never protection.
    "matching.check": (ENFORCEMENT_ROLES, "write"),
    # The hits partners made on this node's data: who asked, when, which handle.
    "matching.hits": (ENFORCEMENT_ROLES, "read"),
    # Risk analysis: indicators, trends, anomalies and forecasts are read by every role whose
    # purposes include risk analysis; the Risk Analysis Unit's analysts import the data.
    "risk.read": (RISK_ROLES, "read"),
    "risk.import": (frozenset({Role.analyst}), "write"),
    # Writing CIRAM-style assessments: the Risk Analysis Unit's analysts.
    "risk.assess": (frozenset({Role.analyst}), "write"),
    # The protection compartment (corridor.protection): screened people, consent, referrals.
    # Its roles only; no other role reaches it on any node, whatever its scope.
    "protection.read": (PROTECTION_ROLES, "read"),
    "protection.write": (PROTECTION_ROLES, "write"),
    # The compartment's access log, break-glass reviews.
    "protection.supervise": (frozenset({Role.protection_supervisor}), "read"),
    # The one way out of the compartment: counts of people screened, small ones suppressed,
    # for risk analysis.
    "protection.aggregates": (RISK_ROLES | PROTECTION_ROLES, "read"),
}

SCOPES: tuple[str, ...] = ("read", "write", "admin")
SCOPE_LABELS = {
    "read": NC_("token scope", "read"),
    "write": NC_("token scope", "write"),
    "admin": NC_("token scope", "administer"),
}
# The scopes that allow a state change at all (every permission whose scope is not "read").
WRITE_SCOPES = frozenset({"write", "admin"})
# Every API token expires: after TOKEN_DEFAULT_DAYS unless asked otherwise, never later than
# TOKEN_MAX_DAYS after it is made (CLI, account page and API alike; security.service checks).
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
