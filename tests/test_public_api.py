"""The public API is small and deliberate: this pins it, so a change to it is a visible decision."""

from __future__ import annotations

import importlib

import cleanup


def test_top_level_names() -> None:
    assert sorted(cleanup.__all__) == [
        "ActionTable",
        "AsyncAttioClient",
        "AttioClient",
        "AttioError",
        "Snapshot",
        "detect",
        "export",
    ]
    for name in cleanup.__all__:
        assert getattr(cleanup, name) is not None


def test_package_exports_resolve() -> None:
    # ``cleanup.export`` is both the package and, at the top level, its ``export`` function.
    assert callable(cleanup.export)
    for name in (
        "cleanup.actions",
        "cleanup.client",
        "cleanup.detect",
        "cleanup.execute",
        "cleanup.export",
        "cleanup.sandbox",
        "cleanup.testing",
        "cleanup.values",
    ):
        module = importlib.import_module(name)
        for exported in module.__all__:
            assert hasattr(module, exported), f"{name}.{exported}"


def test_the_callable_packages_do_not_shadow_their_subpackages() -> None:
    """``cleanup.detect`` and ``cleanup.export`` are the packages themselves, callable: a subpackage
    import goes through them."""
    import sys

    import cleanup.detect.normalise
    import cleanup.export.pages

    assert cleanup.detect is sys.modules["cleanup.detect"]
    assert cleanup.export is sys.modules["cleanup.export"]
    assert callable(cleanup.detect)
    assert cleanup.detect.normalise.email is cleanup.detect.email
    assert cleanup.export.pages.__name__ == "cleanup.export.pages"
