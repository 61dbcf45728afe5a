from corridor.i18n import N_
from corridor.manifest import BodyLimit, Manifest, Nav

_SUB = ("directory", "alerts", "requests", "spaces", "notifications")

MANIFEST = Manifest(
    name="cooperation",
    order=80,
    tables=tuple(f"corridor.cooperation.{s}.models" for s in _SUB),
    records=tuple(f"corridor.cooperation.{s}.records" for s in _SUB),
    hooks=("corridor.cooperation.notifications.audit_forks",),
    routers=tuple(f"corridor.cooperation.{s}.{kind}" for s in _SUB for kind in ("api", "pages")),
    # Requests for assistance, their replies and joint-space posts carry files.
    body_limits=(
        BodyLimit("/api/v1/requests", "max_message_bytes"),
        BodyLimit("/requests", "max_message_bytes"),
        BodyLimit("/api/v1/spaces/*/posts", "max_message_bytes"),
        BodyLimit("/spaces/*/posts", "max_message_bytes"),
    ),
    nav=(
        Nav("Cooperation", N_("Alerts"), "/alerts", "records.read", 1),
        Nav("Cooperation", N_("Requests"), "/requests", "records.read", 3),
        Nav("Cooperation", N_("Joint spaces"), "/spaces", "records.read", 4),
        Nav("Cooperation", N_("Directory"), "/directory", "records.read", 5),
        Nav("Cooperation", N_("Notifications"), "/notifications", "records.read", 90),
    ),
)
