from corridor.manifest import BodyLimit, Manifest

# Multipart overhead on top of a case file itself.
_MULTIPART = 64 * 1024

MANIFEST = Manifest(
    name="entities",
    order=60,
    tables=("corridor.entities.models",),
    records=("corridor.entities.records",),
    jobs=("corridor.entities.imports",),
    routers=(
        "corridor.entities.api",
        "corridor.entities.import_api",
        "corridor.entities.analysis_api",
        "corridor.entities.pages",
        "corridor.entities.import_pages",
        "corridor.entities.analysis_pages",
        "corridor.entities.casework_api",
        "corridor.entities.casework_pages",
    ),
    body_limits=(
        BodyLimit("/api/v1/cases/*/imports", "max_import_bytes"),
        BodyLimit("/cases/*/imports", "max_import_bytes"),
        BodyLimit("/api/v1/cases/*/files", "max_case_file_bytes", _MULTIPART),
        BodyLimit("/cases/*/files", "max_case_file_bytes", _MULTIPART),
    ),
)
