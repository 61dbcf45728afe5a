from corridor.manifest import Manifest

MANIFEST = Manifest(
    name="node",
    order=10,
    tables=("corridor.keys", "corridor.counters"),
    records=("corridor.node.records",),
    jobs=("corridor.node.jobs",),
)
