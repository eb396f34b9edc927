"""Every module imports on its own, first, in a fresh interpreter: an import cycle that works only in the
order the tests happen to import things fails here, naming the module it breaks.

One subprocess (a fresh interpreter) imports each module of ``cleanup`` and ``recipes`` in turn, forgetting
every ``cleanup*`` and ``recipes*`` module before the next, so each is the first of the project to load
(third-party packages stay loaded: that is what keeps it quick). The layers themselves are checked by
``lint-imports`` (``[tool.importlinter]`` in pyproject.toml).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import orjson

SCRIPT = textwrap.dedent(
    """
    import importlib, importlib.machinery, pkgutil, sys, traceback

    import orjson

    import cleanup
    import recipes

    names = sorted(
        info.name
        for package, prefix in ((cleanup, "cleanup."), (recipes, "recipes."))
        for info in pkgutil.walk_packages(package.__path__, prefix)
        if info.name != "cleanup.__main__"  # runs the command line when imported
    )
    names = ["cleanup", "recipes", *names]

    # Each module is compiled once, not once per round (PYTHONDONTWRITEBYTECODE leaves no .pyc to reuse).
    compiled = {}
    get_code = importlib.machinery.SourceFileLoader.get_code

    def cached(loader, fullname):
        if fullname not in compiled:
            compiled[fullname] = get_code(loader, fullname)
        return compiled[fullname]

    importlib.machinery.SourceFileLoader.get_code = cached
    failed = {}
    for name in names:
        for loaded in [m for m in sys.modules if m.split(".")[0] in ("cleanup", "recipes")]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
        except Exception:
            failed[name] = traceback.format_exc(limit=-3)
    print(orjson.dumps({"imported": names, "failed": failed}).decode())
    """
)


def test_every_module_imports_on_its_own() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = orjson.loads(done.stdout.splitlines()[-1])
    assert len(result["imported"]) > 100  # every module was found, not only the packages
    assert "cleanup.execute.run" in result["imported"]
    assert "recipes.duplicate_notes" in result["imported"]
    assert result["failed"] == {}, "\n".join(f"{name}:\n{error}" for name, error in result["failed"].items())
