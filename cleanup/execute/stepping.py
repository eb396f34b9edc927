"""The one journalled step, and the one way to send a create that may have been made already.

Runs, merges and restores all write through :func:`journalled`: a finished step is not run again; a step is
marked ``sent`` before its request goes (an earlier send keeps its time, so what it may have made is looked
for since then); it ends ``done`` with the id it made (and how), or ``failed`` with Attio's refusal.

:func:`looking_first` sends a create whose answer may be lost (Attio cannot take a create twice): after each
unclear answer it looks for what the create may have made before sending again, a bounded number of times,
through tenacity like every other retry.

>>> status = await journalled(journal, "a1", "create", work)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from ..client.errors import AmbiguousWriteError, ApiError
from .journal import FINISHED, Journal, Status

CREATE_TRIES = 5  # sends of one create after unclear answers, each looked for first


@dataclass(frozen=True)
class Made:
    """What a step's work left: the id it made or found (if any), and a word on how ("found after an
    interruption", "already gone")."""

    id: str | None = None
    detail: str | None = None


Work = Callable[[bool], Awaitable[Made]]


async def journalled(
    journal: Journal,
    action_id: str,
    step: str,
    work: Work,
    *,
    refused: tuple[type[Exception], ...] = (ApiError,),
) -> Status:
    """Run one journalled step: ``work(sent_before)`` sends it (``sent_before``: an earlier attempt was sent
    and may have taken effect, so look first) and returns what it made. An error of ``refused`` marks the
    step failed with its message; any other propagates with the step still ``sent`` (a resume looks
    again). Returns the step's status."""
    status, _, _ = journal.state(action_id, step)
    if status in FINISHED:
        return status
    if status != Status.SENT:  # a step sent before keeps its time
        journal.mark(action_id, step, Status.SENT)
    try:
        made = await work(status == Status.SENT)
    except refused as error:
        journal.mark(action_id, step, Status.FAILED, detail=str(error))
        return Status.FAILED
    journal.mark(action_id, step, Status.DONE, created_id=made.id, detail=made.detail)
    return Status.DONE


async def looking_first(
    send: Callable[[], Awaitable[str | None]],
    look: Callable[[], Awaitable[str | None]],
    *,
    sent_before: bool = False,
    tries: int = CREATE_TRIES,
) -> Made:
    """Send a create; when ``sent_before`` (an interrupted earlier send) or after an unclear answer, look
    for what it may have made first. Returns the id made, or the one found and how it was found."""
    if sent_before and (found := await look()):
        return Made(found, "found after an interruption")
    retrying = AsyncRetrying(
        stop=stop_after_attempt(tries), retry=retry_if_exception_type(AmbiguousWriteError), reraise=True
    )
    async for attempt in retrying:
        with attempt:
            if attempt.retry_state.attempt_number > 1 and (found := await look()):
                return Made(found, "found after an ambiguous answer")
            return Made(await send())
    raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover
