from corridor.i18n import N_
from corridor.manifest import BodyLimit, Manifest, Section

MANIFEST = Manifest(
    name="risk",
    order=80,
    tables=(
        "corridor.risk.models",
        "corridor.risk.assessments.models",
        "corridor.risk.profiles.models",
        "corridor.risk.figures.models",
    ),
    records=(
        "corridor.risk.assessments.records",
        "corridor.risk.profiles.records",
        "corridor.risk.figures.records",
    ),
    routers=(
        "corridor.risk.api",
        "corridor.risk.assessments.api",
        "corridor.risk.profiles.api",
        "corridor.risk.figures.api",
        "corridor.risk.reports.pages",
        "corridor.risk.pages",
        "corridor.risk.assessments.pages",
        "corridor.risk.profiles.pages",
        "corridor.risk.figures.pages",
    ),
    body_limits=(
        BodyLimit("/api/v1/indicators/imports", "max_import_bytes", 64 * 1024),
        BodyLimit("/risk/imports", "max_import_bytes", 64 * 1024),
    ),
    nav=Section("Guidance", "risk.read").entries(
        (N_("Risk analysis"), "/risk", 35),
        (N_("Risk assessments"), "/risk/assessments", 36),
        (N_("Risk profiles"), "/risk/profiles", 37),
        (N_("Shared figures"), "/risk/figures", 38),
    ),
)
