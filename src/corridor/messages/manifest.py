from corridor.i18n import N_
from corridor.manifest import BodyLimit, Manifest, Nav

MANIFEST = Manifest(
    name="messages",
    order=50,
    tables=("corridor.messages.models",),
    records=("corridor.messages.records",),
    routers=("corridor.messages.api", "corridor.messages.pages"),
    work=("corridor.messages.work",),
    body_limits=(
        BodyLimit("/api/v1/messages", "max_message_bytes"),
        BodyLimit("/messages", "max_message_bytes"),
    ),
    nav=(Nav("Cooperation", N_("Messages"), "/messages", "records.read", 10),),
)
