# The investigator and the case of the entities API tests serve the search tests too.
from tests.entities.test_api import case, inv  # noqa: F401
