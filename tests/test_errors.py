"""One error tree: every error the toolkit raises on purpose derives from CleanupError (and keeps the built-in
base it had), so a caller catches one type."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import cleanup
from cleanup.errors import CleanupError

# Control flow inside one module, never raised to a caller.
INTERNAL = {"NotRestorable", "NotYet", "WorkerInterrupted"}


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(cleanup.__path__, "cleanup."):
        if not info.name.startswith(("cleanup.sandbox", "cleanup.testing", "cleanup.__main__")):
            names.append(info.name)
    return names


def test_every_error_of_the_toolkit_is_a_cleanup_error() -> None:
    found = {}
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Exception)
                and value.__module__ == name
                and attr not in INTERNAL
                and not attr.startswith("_")
            ):
                found[f"{name}.{attr}"] = value
    assert len(found) >= 20, sorted(found)
    outside = sorted(name for name, cls in found.items() if not issubclass(cls, CleanupError))
    assert outside == []


def test_errors_keep_the_builtin_base_they_had() -> None:
    from cleanup.actions import ActionTableError
    from cleanup.execute import PlanError, RunError
    from cleanup.execute.backup import BackupError
    from cleanup.importers.reading import ImportInputError

    assert issubclass(PlanError, ValueError)
    assert issubclass(ActionTableError, ValueError)
    assert issubclass(ImportInputError, ValueError)
    assert issubclass(RunError, RuntimeError)
    assert issubclass(BackupError, OSError)
