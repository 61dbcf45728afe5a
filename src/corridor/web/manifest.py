from corridor.i18n import N_
from corridor.manifest import Manifest, Nav

MANIFEST = Manifest(
    name="web",
    # The node's own pages and generic API are mounted before the modules' routers.
    order=5,
    routers=(
        "corridor.web.login",
        "corridor.web.dashboard",
        "corridor.web.account",
        "corridor.web.admin",
        "corridor.web.api",
    ),
    nav=(
        Nav("Overview", N_("Dashboard"), "/", "account.self", 0),
        Nav("Administration", N_("Users"), "/admin/users", "users.manage", 10),
        Nav("Administration", N_("Units"), "/admin/units", "users.manage", 20),
        Nav("Administration", N_("Audit log"), "/admin/audit", "audit.read", 30),
        Nav("Administration", N_("Node"), "/admin/node", "node.manage", 40),
    ),
)
