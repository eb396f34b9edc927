"""The journal's durability rules: what a batch commits together, what a failure in it leaves."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cleanup.execute.journal import Journal, Status


def test_plan_keeps_the_state_of_steps_already_journalled(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    journal.plan([("a1", "read"), ("a1", "write")])
    journal.mark("a1", "write", Status.DONE, created_id="n1")
    journal.plan([("a1", "read"), ("a1", "write"), ("a2", "read")])
    assert journal.state("a1", "write") == (Status.DONE, "n1", None)
    assert journal.state("a2", "read") == (Status.PLANNED, None, None)
    assert stat.S_IMODE((tmp_path / "journal.sqlite").stat().st_mode) == 0o600


def test_marks_in_a_batch_are_seen_by_a_second_connection_only_once_committed(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    journal = Journal(path)
    journal.plan([(f"a{i}", "read") for i in range(3)])
    other = Journal(path)
    with journal.batch():
        for i in range(3):
            journal.mark(f"a{i}", "read", Status.DONE)
        assert other.state("a0", "read")[0] == Status.PLANNED
    assert {other.state(f"a{i}", "read")[0] for i in range(3)} == {Status.DONE}


def test_a_failure_inside_a_batch_leaves_none_of_its_marks(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    journal.plan([("a1", "read"), ("a2", "read")])

    def mark_then_fail() -> None:
        with journal.batch():
            journal.mark("a1", "read", Status.DONE)
            raise RuntimeError("the backup could not be written")

    with pytest.raises(RuntimeError):
        mark_then_fail()
    assert journal.state("a1", "read")[0] == Status.PLANNED
    journal.mark("a2", "read", Status.SKIPPED, detail="gone")  # the connection is usable afterwards
    assert journal.state("a2", "read") == (Status.SKIPPED, None, "gone")
