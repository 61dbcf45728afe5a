from corridor.manifest import Manifest

MANIFEST = Manifest(
    name="matching",
    order=65,
    tables=("corridor.matching.models",),
    records=("corridor.matching.records",),
    jobs=("corridor.matching.index", "corridor.matching.evaluation"),
    routers=("corridor.matching.api",),
)
