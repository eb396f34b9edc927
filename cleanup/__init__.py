"""attio-cleanup: export, detect, review, execute and restore cleanups of an Attio CRM workspace.

>>> import cleanup
>>> client = cleanup.AttioClient()                    # ATTIO_API_KEY / keyring, ATTIO_BASE_URL  # doctest: +SKIP
>>> snapshot = cleanup.export(client, "snapshots/today")  # doctest: +SKIP
>>> snapshot.records("companies").collect()           # doctest: +SKIP
>>> actions = cleanup.detect(snapshot, "duplicate_companies")  # doctest: +SKIP
"""

from __future__ import annotations

from . import detect as detect  # a callable package: cleanup.detect(snapshot, "duplicate_notes")

# The notebook pages of snapshots, action tables, plans and run reports register themselves when the display
# is imported (the layers below never import it): imported here, so that every session has them.
from . import display as display
from . import export as export  # a callable package: cleanup.export(client, "snapshots/today")
from .actions import ActionTable
from .client import AsyncAttioClient, AttioClient, AttioError
from .export import Snapshot

__all__ = ["ActionTable", "AsyncAttioClient", "AttioClient", "AttioError", "Snapshot", "detect", "export"]
