"""What each command needs of the API key: its scopes, what it uses each one for, and the fix for one missing.

A scope ``x:read`` is held by a token with ``x:read`` or ``x:read-write``; ``x:read-write`` only by itself.

>>> missing(NEEDS["apply"], {"note:read", "record_permission:read-write"})[0].scope  # doctest: +SKIP
'object_configuration:read'
>>> fix("note:read-write", held={"note:read"}, used_by=["apply", "restore"])  # doctest: +SKIP
'Add the scope `note:read-write` to the token (it has `note:read` only) in Attio → Workspace settings → …'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

SETTINGS = "Attio → Workspace settings → Developers → your integration"


class Job(StrEnum):
    """The groups of commands the doctor checks (``--for``)."""

    export = "export"  # export
    review = "review"  # detect, report, plan, tokens, runs, recipes list: snapshot files only
    apply = "apply"  # apply, resume
    restore = "restore"  # restore
    import_affinity = "import-affinity"  # import affinity
    import_csv = "import-csv"  # import csv
    sandbox = "sandbox"  # sandbox serve, demo: the local sandbox


@dataclass(frozen=True)
class Use:
    """A scope a command needs, and what for (a phrase: "to read list entries")."""

    scope: str
    why: str


@dataclass(frozen=True)
class Need:
    """A group of commands: how a person types them, what they do, and the scopes they need (none: they
    never call Attio)."""

    job: Job
    commands: tuple[str, ...]
    does: str
    uses: tuple[Use, ...] = ()

    @property
    def label(self) -> str:
        """The commands as typed: ``apply, resume``."""
        return ", ".join(self.commands)

    @property
    def calls_api(self) -> bool:
        return bool(self.uses)


_SCHEMA = (
    Use("object_configuration:read", "to read the objects and their attributes"),
    Use("list_configuration:read", "to read the lists and their attributes"),
)
_WRITES = (
    *_SCHEMA,
    Use("record_permission:read-write", "to merge, delete, create and update records"),
    Use("note:read-write", "to delete, re-date and move notes"),
    Use("list_entry:read-write", "to delete, add and move list entries"),
    Use("task:read-write", "to move the tasks of merged records"),
    Use("user_management:read", "to read tasks and their assignees"),
)
NEEDS: dict[Job, Need] = {
    need.job: need
    for need in (
        Need(
            Job.export,
            ("export",),
            "export the workspace to a snapshot",
            (
                *_SCHEMA,
                Use("record_permission:read", "to read records"),
                Use("list_entry:read", "to read list entries"),
                Use("note:read", "to read notes (or export with --no-notes)"),
                Use("task:read", "to read tasks (or export with --no-tasks)"),
                Use("user_management:read", "to read members and tasks (or --no-members --no-tasks)"),
            ),
        ),
        Need(
            Job.review,
            ("detect", "report", "plan", "tokens", "runs", "recipes"),
            "find what to clean up and review it, from a snapshot on disk",
        ),
        Need(Job.apply, ("apply", "resume"), "write the approved changes, backed up first", _WRITES),
        Need(Job.restore, ("restore",), "put back what a run changed, from its backup", _WRITES),
        Need(
            Job.import_affinity,
            ("import affinity",),
            "bring Affinity exports into Attio",
            (
                Use("object_configuration:read-write", "to add the attributes and choices the import needs"),
                Use("list_configuration:read-write", "to make the lists the import fills"),
                Use("record_permission:read-write", "to write records"),
                Use("list_entry:read-write", "to write list entries"),
                Use("note:read-write", "to write notes"),
                Use("user_management:read", "to match note authors to members"),
            ),
        ),
        Need(
            Job.import_csv,
            ("import csv",),
            "bring a CSV file into Attio",
            (
                *_SCHEMA,
                Use("record_permission:read-write", "to write records"),
                Use("list_entry:read-write", "to write list entries (a file that fills a list)"),
                Use("note:read-write", "to write notes (a file with notes)"),
                Use("user_management:read", "to read the members"),
            ),
        ),
        Need(Job.sandbox, ("sandbox serve", "demo"), "rehearse on the local sandbox, with its own keys"),
    )
}


def holds(scopes: Iterable[str], needed: str) -> bool:
    """Whether a token with ``scopes`` has ``needed`` (``x:read`` is held by ``x:read-write`` too)."""
    area, _, level = needed.partition(":")
    held = set(scopes)
    return needed in held or (level == "read" and f"{area}:read-write" in held)


def missing(need: Need, scopes: Iterable[str]) -> list[Use]:
    """The uses of ``need`` whose scope the token lacks, in the order the need lists them."""
    held = set(scopes)
    return [use for use in need.uses if not holds(held, use.scope)]


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def fix(scope: str, *, held: Iterable[str], used_by: Sequence[str]) -> str:
    """The sentence that tells a person how to add ``scope``, naming the commands that need it."""
    area, _, level = scope.partition(":")
    has_read = level == "read-write" and f"{area}:read" in set(held)
    only = f" (it has `{area}:read` only)" if has_read else ""
    who = f": {_join(list(used_by))} need{'s' if len(used_by) == 1 else ''} it" if used_by else ""
    return f"Add the scope `{scope}` to the token{only} in {SETTINGS}{who}."


__all__ = ["NEEDS", "SETTINGS", "Job", "Need", "Use", "fix", "holds", "missing"]
