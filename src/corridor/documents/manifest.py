from corridor.i18n import N_
from corridor.manifest import Manifest, Section

MANIFEST = Manifest(
    name="documents",
    order=90,
    routers=("corridor.documents.mrz.api", "corridor.documents.mrz.pages"),
    nav=Section("Intelligence", "documents.check").entries((N_("MRZ check"), "/documents/mrz", 40)),
)
