from corridor.i18n import N_
from corridor.manifest import BodyLimit, Manifest, Nav

MANIFEST = Manifest(
    name="matching",
    order=65,
    tables=("corridor.matching.models",),
    records=("corridor.matching.records",),
    jobs=("corridor.matching.index", "corridor.matching.evaluation", "corridor.matching.runs"),
    routers=("corridor.matching.api", "corridor.matching.pages"),
    # A check of 10,000 selectors, a pasted list of 100,000 lines.
    body_limits=(
        BodyLimit("/api/v1/matching/check", "max_message_bytes"),
        BodyLimit("/api/v1/matching/runs", "max_message_bytes"),
        BodyLimit("/matching/runs", "max_message_bytes"),
    ),
    nav=(
        Nav("Intelligence", N_("Check across the network"), "/matching", "matching.check", 25),
        Nav("Intelligence", N_("Hits on our data"), "/matching/hits", "matching.hits", 26),
    ),
)
