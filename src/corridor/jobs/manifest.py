from corridor.manifest import Manifest

MANIFEST = Manifest(name="jobs", order=20, tables=("corridor.jobs.models",))
