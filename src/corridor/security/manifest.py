from corridor.manifest import Manifest

MANIFEST = Manifest(name="security", order=20, tables=("corridor.security.models",))
