from corridor.i18n import N_
from corridor.manifest import BodyLimit, Manifest, Nav

MANIFEST = Manifest(
    name="federation",
    order=30,
    tables=("corridor.federation.models", "corridor.federation.receipts"),
    jobs=(
        "corridor.federation.outbox",
        "corridor.federation.delivery",
        "corridor.federation.receipts",
        "corridor.federation.rotation",
        # Peers witness the head of this node's audit log (record type and job).
        "corridor.federation.checkpoints",
    ),
    routers=(
        "corridor.federation.pages",
        "corridor.federation.api",
        "corridor.federation.endpoint",
    ),
    nav=(Nav("Administration", N_("Peers"), "/admin/peers", "node.manage", 35),),
    body_limits=(BodyLimit("/federation/", "max_federation_bytes"),),
)
