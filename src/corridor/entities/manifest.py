from corridor.i18n import N_
from corridor.manifest import BodyLimit, Manifest, Section

# Multipart overhead on top of a case file itself.
_MULTIPART = 64 * 1024

MANIFEST = Manifest(
    name="entities",
    order=60,
    tables=tuple(
        f"corridor.entities.{sub}models"
        for sub in ("", "cases.", "imports.", "resolution.", "analysis.")
    ),
    records=("corridor.entities.records",),
    jobs=("corridor.entities.imports.runner", "corridor.entities.search.reindex"),
    routers=(
        "corridor.entities.cases.api",
        "corridor.entities.search.api",
        # Before the entities' own router: /entities/candidates is not the entity "candidates".
        "corridor.entities.resolution.api",
        "corridor.entities.api",
        "corridor.entities.imports.api",
        "corridor.entities.analysis.api",
        "corridor.entities.pages",
        "corridor.entities.cases.pages",
        "corridor.entities.search.pages",
        "corridor.entities.resolution.pages",
        "corridor.entities.imports.pages",
        "corridor.entities.analysis.pages",
    ),
    work=("corridor.entities.cases.work",),
    nav=Section("Intelligence", "entities.read").entries(
        (N_("Cases"), "/cases", 10),
        (N_("Search"), "/search", 20),
        (N_("From partners"), "/entities/partners", 30),
    ),
    body_limits=(
        BodyLimit("/api/v1/cases/*/imports", "max_import_bytes"),
        BodyLimit("/cases/*/imports", "max_import_bytes"),
        BodyLimit("/api/v1/cases/*/files", "max_case_file_bytes", _MULTIPART),
        BodyLimit("/cases/*/files", "max_case_file_bytes", _MULTIPART),
    ),
)
