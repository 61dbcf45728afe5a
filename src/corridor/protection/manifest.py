from corridor.i18n import N_
from corridor.manifest import Manifest, Section

MANIFEST = Manifest(
    name="protection",
    order=85,
    tables=("corridor.protection.models",),
    records=("corridor.protection.records",),
    jobs=("corridor.protection.retention",),
    routers=("corridor.protection.api", "corridor.protection.pages"),
    nav=(
        *Section("Cooperation", "protection.read").entries((N_("Protection"), "/protection", 60)),
        *Section("Guidance", "protection.aggregates").entries(
            (N_("Protection counts"), "/protection/counts", 39)
        ),
    ),
)
