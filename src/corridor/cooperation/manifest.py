from corridor.i18n import N_
from corridor.manifest import BodyLimit, Manifest, Section

_SUB = ("directory", "alerts", "requests", "spaces", "notifications")

MANIFEST = Manifest(
    name="cooperation",
    order=80,
    tables=tuple(f"corridor.cooperation.{s}.models" for s in _SUB),
    records=tuple(f"corridor.cooperation.{s}.records" for s in _SUB),
    hooks=("corridor.cooperation.notifications.audit_forks",),
    routers=tuple(f"corridor.cooperation.{s}.{kind}" for s in _SUB for kind in ("api", "pages")),
    work=tuple(f"corridor.cooperation.{s}.work" for s in _SUB if s != "directory"),
    # Requests for assistance, their replies and joint-space posts carry files.
    body_limits=(
        BodyLimit("/api/v1/requests", "max_message_bytes"),
        BodyLimit("/requests", "max_message_bytes"),
        BodyLimit("/api/v1/spaces/*/posts", "max_message_bytes"),
        BodyLimit("/spaces/*/posts", "max_message_bytes"),
    ),
    nav=Section("Cooperation", "records.read").entries(
        (N_("Alerts"), "/alerts", 1),
        (N_("Requests"), "/requests", 3),
        (N_("Joint spaces"), "/spaces", 4),
        (N_("Directory"), "/directory", 5),
        # Last of the section, after the entries of other modules (messages).
        (N_("Notifications"), "/notifications", 90),
    ),
)
