from corridor.manifest import Manifest

MANIFEST = Manifest(
    name="records",
    order=20,
    tables=("corridor.records.models",),
    records=("corridor.records.groups",),
    # Server-sent events: announce what was received once its transaction commits.
    hooks=("corridor.events",),
)
