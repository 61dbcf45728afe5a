from corridor.i18n import N_
from corridor.manifest import Manifest, Nav

# The sub-packages with record types and tables of their own.
_RECORDS = ("routes", "challenges", "commitments")

MANIFEST = Manifest(
    name="mapping",
    order=70,
    tables=tuple(
        f"corridor.mapping.{sub}.models" for sub in ("routes", "challenges", "commitments")
    ),
    records=tuple(
        f"corridor.mapping.{sub}.records" for sub in ("routes", "challenges", "commitments")
    ),
    routers=(
        "corridor.mapping.map.api",
        "corridor.mapping.challenges.api",
        "corridor.mapping.routes.api",
        "corridor.mapping.commitments.api",
        "corridor.mapping.map.pages",
        "corridor.mapping.challenges.pages",
        "corridor.mapping.commitments.pages",
        "corridor.mapping.reports.pages",
    ),
    nav=(
        Nav("Guidance", N_("Map"), "/map", "records.read", 10),
        Nav("Guidance", N_("Challenges"), "/challenges", "records.read", 20),
        Nav("Guidance", N_("Routes"), "/routes", "records.read", 25),
        Nav("Guidance", N_("Commitments"), "/commitments", "records.read", 30),
        Nav("Guidance", N_("Reports"), "/reports", "records.read", 40),
    ),
)
