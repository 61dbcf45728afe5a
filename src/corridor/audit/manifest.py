from corridor.manifest import Manifest

MANIFEST = Manifest(
    name="audit",
    order=40,
    tables=("corridor.audit.models",),
)
