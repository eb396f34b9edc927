"""The action table's fixed schema: its columns, the actions and decisions it may hold, and which columns
a reviewer may edit.

Every row is one thing the executor would do to one target. Rows of one finding (a duplicate cluster, a
note and its copies) share ``cluster_id``, so a reviewer can decide them together.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl


class Action(StrEnum):
    """What the executor does with a row's target."""

    DELETE_NOTE = "delete_note"  # delete a note
    RECREATE_NOTE = (
        "recreate_note"  # create the note anew from ``payload`` (e.g. its original date), then delete it
    )
    CREATE_NOTE = "create_note"  # create a note from ``payload``
    UPDATE_NOTE = (
        "update_note"  # change a note's title and/or content in place (``payload``); parent and date stay
    )
    MERGE_RECORDS = "merge_records"  # merge the target into ``survivor_id``
    DELETE_RECORD = "delete_record"  # delete a record
    CREATE_RECORD = "create_record"  # create a record from ``payload``
    ASSERT_RECORD = "assert_record"  # create or update by a unique attribute, from ``payload``
    UPDATE_RECORD = "update_record"  # write ``payload`` values to a record
    DELETE_ENTRY = "delete_entry"  # delete a list entry
    CREATE_ENTRY = "create_entry"  # add a record to a list
    UPDATE_ENTRY = "update_entry"  # write ``payload`` entry values (e.g. carried over from a duplicate entry)
    UPDATE_TASK = (
        "update_task"  # set a task's linked records (``payload``: linked_records); restores write it
    )
    WRITE_HISTORY = "write_history"  # replace one attribute's value history (``payload``: attribute, values); restores write it
    CREATE_LIST = "create_list"  # make the list ``list`` (``payload``: name, parent object)
    CREATE_ATTRIBUTE = (
        "create_attribute"  # add an attribute to ``object`` or ``list`` (``payload``: its definition)
    )
    CREATE_OPTION = "create_option"  # add a select option or status to an attribute of ``object`` or ``list``


class Decision(StrEnum):
    """A reviewer's verdict on a row; only approved rows are ever applied."""

    PENDING = "pending"  # not reviewed yet: not applied
    APPROVE = "approve"  # apply it
    REJECT = "reject"  # never apply it (and, for a pair, remember it is not a duplicate)


COLUMNS: dict[str, pl.DataType] = {
    "action_id": pl.String(),  # stable: the same finding gives the same id on every run
    "recipe": pl.String(),
    "action": pl.String(),  # an Action
    "object": pl.String(),  # the target's object slug (records, and the parent object of notes)
    "list": pl.String(),  # the list slug, for entry actions
    "target_id": pl.String(),  # the record, entry or note acted on
    "survivor_id": pl.String(),  # merges: the record that stays, as proposed (a reviewer changes it by `keep`)
    "cluster_id": pl.String(),  # rows of one finding share it
    "payload": pl.String(),  # JSON of what will be written
    "reason": pl.String(),  # one sentence a reviewer understands
    "confidence": pl.Float64(),  # 0..1
    "evidence": pl.String(),  # what matched, in words
    "fingerprint": pl.String(),  # the target's state in the snapshot, for the executor's drift check
    "decision": pl.String(),  # a Decision (editable)
    "cluster_decision": pl.String(),  # set on any row of a cluster to decide every pending row of it (editable)
    "keep": pl.String(),  # merges: the record of the cluster that stays instead, set on any row of it (editable)
    "take": pl.String(),  # merges: attribute titles whose value comes from the merged-away record (editable)
    "comment": pl.String(),  # the reviewer's note (editable)
}
SCHEMA = pl.Schema(COLUMNS)
EDITABLE = frozenset({"decision", "cluster_decision", "keep", "take", "comment"})
OPTIONAL = frozenset({"keep", "take"})  # a file written before they existed reads with them empty
CHECKED = tuple(c for c in COLUMNS if c not in EDITABLE)
# Files written before `keep` replaced an editable `survivor_id` carry a digest of these columns.
CHECKED_BEFORE_KEEP = tuple(c for c in CHECKED if c != "survivor_id")
CHECK_COLUMN = "_check"  # per-row digest of the CHECKED columns, so a reviewed file can be verified alone
ENTRY_ACTIONS = frozenset({Action.DELETE_ENTRY, Action.CREATE_ENTRY, Action.UPDATE_ENTRY})
NEEDS_SURVIVOR = frozenset({Action.MERGE_RECORDS})
SCHEMA_ACTIONS = frozenset({Action.CREATE_LIST, Action.CREATE_ATTRIBUTE, Action.CREATE_OPTION})
NEEDS_TARGET = (
    frozenset(Action)
    - SCHEMA_ACTIONS
    - {
        Action.CREATE_NOTE,
        Action.CREATE_RECORD,
        Action.ASSERT_RECORD,
        Action.CREATE_ENTRY,
    }
)
