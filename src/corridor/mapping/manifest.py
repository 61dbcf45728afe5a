from corridor.manifest import Manifest

MANIFEST = Manifest(
    name="mapping",
    order=70,
    tables=("corridor.mapping.models",),
    records=("corridor.mapping.records",),
    routers=(
        "corridor.mapping.api",
        "corridor.mapping.map_pages",
        "corridor.mapping.challenge_pages",
        "corridor.mapping.commitment_pages",
        "corridor.mapping.report_pages",
    ),
)
