"""Packages that can be called like the function they are named after, so the public name and the package
are one object: ``cleanup.detect(snapshot, "duplicate_notes")`` runs a recipe and ``import
cleanup.detect.normalise`` still finds the subpackage (a function of the same name used to shadow it).

>>> callable_package(__name__, "cleanup.detect.recipe", "detect")  # in cleanup/detect/__init__.py  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


def callable_package(name: str, module: str, function: str) -> None:
    """Make package ``name`` callable: a call runs ``module.function`` (imported on the first call, so the
    package's own imports stay light and free of circles)."""

    class CallablePackage(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return getattr(importlib.import_module(module), function)(*args, **kwargs)

    CallablePackage.__call__.__doc__ = f"Call :func:`{module}.{function}`."
    sys.modules[name].__class__ = CallablePackage


__all__ = ["callable_package"]
