"""attio-cleanup: export, detect, review, execute and restore cleanups of an Attio CRM workspace.

>>> import cleanup
>>> client = cleanup.AttioClient()                    # ATTIO_API_KEY / keyring, ATTIO_BASE_URL  # doctest: +SKIP
>>> snapshot = cleanup.export(client, "snapshots/today")  # doctest: +SKIP
>>> snapshot.records("companies").collect()           # doctest: +SKIP
>>> actions = cleanup.detect(snapshot, "duplicate_companies")  # doctest: +SKIP

The public names are loaded on first use (PEP 562), so a command that needs only part of the toolkit (the
CLI's ``resume`` in a fresh process) does not pay for importing the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import detect as detect
    from . import export as export
    from .actions import ActionTable
    from .client import AsyncAttioClient, AttioClient, AttioError
    from .export import Snapshot

# name → (module, attribute in it; None: the module itself)
_PUBLIC: dict[str, tuple[str, str | None]] = {
    "ActionTable": (".actions", "ActionTable"),
    "AsyncAttioClient": (".client", "AsyncAttioClient"),
    "AttioClient": (".client", "AttioClient"),
    "AttioError": (".client", "AttioError"),
    "Snapshot": (".export", "Snapshot"),
    "detect": (".detect", None),  # a callable package: cleanup.detect(snapshot, "duplicate_notes")
    "export": (".export", None),  # a callable package: cleanup.export(client, "snapshots/today")
}

__all__ = ["ActionTable", "AsyncAttioClient", "AttioClient", "AttioError", "Snapshot", "detect", "export"]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    found = importlib.import_module(module, __name__)
    value = found if attribute is None else getattr(found, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
