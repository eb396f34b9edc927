"""One error tree: every error the toolkit raises on purpose derives from :class:`CleanupError`, with one
root per stage below it, so a caller (and the command line) catches one type and prints its message, which
says what is wrong, where, and the fix.

    CleanupError
    ├── AttioError            (cleanup.client: the API answered with an error, or gave no answer)
    ├── ValueEncodeError      (cleanup.values: a value that is not its attribute's type)
    ├── ExportStageError      (cleanup.export: ExportError, SnapshotError)
    ├── ActionTableError      (cleanup.actions: a table or a reviewed file that cannot be read as one)
    ├── DetectError           (cleanup.detect: RecipeError, MatchSpecError)
    ├── ExecuteError          (cleanup.execute: PlanError, RunError, BackupError)
    ├── ImportInputError      (cleanup.importers and cleanup.affinity_notes: files, mappings and cells that
    │                          cannot be imported)
    ├── ReportError           (cleanup.report: a report that cannot be written as asked)
    └── TokenError            (cleanup.tokens)

Each keeps the built-in base it had (``ValueError``, ``RuntimeError``, ``OSError``), so ``except ValueError``
in a caller's script still catches what it caught before.

>>> try:
...     cleanup.detect(snapshot, "no_such_recipe")  # doctest: +SKIP
... except CleanupError as error:
...     print(error)
"""

from __future__ import annotations


class CleanupError(Exception):
    """The root of every error the toolkit raises on purpose; its message names the problem and the fix."""


class ValueEncodeError(CleanupError, ValueError):
    """The values stage: a value that cannot be read or written as its attribute's type."""


class ExportStageError(CleanupError):
    """The export stage: reading the workspace, or a snapshot on disk."""


class DetectError(CleanupError, ValueError):
    """The detect stage: a recipe or a match spec that cannot run as asked."""


class ExecuteError(CleanupError):
    """The execute stage: a plan, a run, a backup or a restore."""


class ImportInputError(CleanupError, ValueError):
    """Input an import cannot use as it stands: every problem names the file, where, and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:40]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(
            "the import input has problems; nothing was written:\n  " + "\n  ".join(shown) + more
        )


class ReportError(CleanupError, ValueError):
    """The report stage: a report that cannot be written as asked (e.g. an unknown file type)."""
