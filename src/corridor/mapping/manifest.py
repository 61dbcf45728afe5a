from corridor.i18n import N_
from corridor.manifest import Manifest, Section

# The sub-packages with record types and tables of their own.
_RECORDS = ("routes", "challenges", "commitments")
# The routers, in mounting order: every API before the pages.
_APIS = ("map", "challenges", "routes", "commitments")
_PAGES = ("map", "challenges", "commitments", "reports")

MANIFEST = Manifest(
    name="mapping",
    order=70,
    tables=tuple(f"corridor.mapping.{sub}.models" for sub in _RECORDS),
    records=tuple(f"corridor.mapping.{sub}.records" for sub in _RECORDS),
    routers=tuple(f"corridor.mapping.{sub}.api" for sub in _APIS)
    + tuple(f"corridor.mapping.{sub}.pages" for sub in _PAGES),
    nav=Section("Guidance", "records.read").entries(
        (N_("Map"), "/map", 10),
        (N_("Challenges"), "/challenges", 20),
        (N_("Routes"), "/routes", 25),
        (N_("Commitments"), "/commitments", 30),
        (N_("Reports"), "/reports", 40),
    ),
)
