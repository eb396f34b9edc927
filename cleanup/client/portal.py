"""The sync client's private event loop thread, and what Ctrl-C does to the work running on it.

Sync code (scripts, notebooks, the command line) runs coroutines through a :class:`Portal`: its loop runs
on a daemon thread, and the calling thread waits for the result. Ctrl-C is handled in one place for every
command:

- A Ctrl-C in the waiting (main) thread cancels the task on the loop and waits a few seconds
  (:data:`UNWIND_SECONDS`) for it to unwind — requests in flight are dropped, files being written are
  left as a kill would leave them — then raises ``KeyboardInterrupt`` to the caller.
- A Ctrl-C raised inside a worker thread (Polars raises ``KeyboardInterrupt`` in the thread it computes
  in) becomes :class:`WorkerInterrupted` there (see :func:`in_thread`), an ordinary error in the loop;
  the caller gets ``KeyboardInterrupt``. One that still escapes a task ends that task, never the loop.
- A second Ctrl-C while the work unwinds stops waiting at once. The command line (see
  :func:`exit_at_once_on_repeat`) then ends the process at once with exit code 130 and one line on stderr,
  as a kill would: the export's manifest and the executor's journal are made to survive that.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, NoReturn, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")
UNWIND_SECONDS = 5.0  # how long a Ctrl-C waits for the cancelled work to unwind
EXIT_INTERRUPTED = 130  # the shell's code for a process ended by Ctrl-C (128 + SIGINT)
_settings = {"exit_at_once": False}


class WorkerInterrupted(Exception):
    """Ctrl-C reached a worker thread: an ordinary error inside the event loop (a ``KeyboardInterrupt``
    there would stop the loop), raised to the caller as ``KeyboardInterrupt``."""


def in_worker(fn: Callable[P, T]) -> Callable[P, T]:
    """``fn`` for a worker thread: a ``KeyboardInterrupt`` raised in it becomes :class:`WorkerInterrupted`."""

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            raise WorkerInterrupted("interrupted (Ctrl-C) in a worker thread") from None

    return call


async def in_thread(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``asyncio.to_thread`` for work that may be interrupted by Ctrl-C (anything calling Polars)."""
    return await asyncio.to_thread(in_worker(fn), *args, **kwargs)


# ---------------------------------------------------------------------- a repeated Ctrl-C
def exit_at_once_on_repeat(enabled: bool = True) -> None:
    """Make a second Ctrl-C end the process at once (exit code 130, one line on stderr), for the command
    line. Off by default: in a notebook a second Ctrl-C only stops waiting for the work to unwind."""
    _settings["exit_at_once"] = enabled


def interrupted_again(message: str = "stopped at once (Ctrl-C twice)") -> None:
    """What a repeated Ctrl-C does: with :func:`exit_at_once_on_repeat`, print ``message`` and end the
    process at once; otherwise raise ``KeyboardInterrupt``."""
    if _settings["exit_at_once"]:
        exit_now(message)
    raise KeyboardInterrupt


def exit_now(message: str) -> NoReturn:
    """End the process at once with exit code 130 after one line on stderr (no clean-up runs: what was
    saved so far stays as a kill would leave it)."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(OSError):
        os.write(2, f"\n{message}\n".encode())
    os._exit(EXIT_INTERRUPTED)


def brace_for_repeat(message: str = "stopped at once (Ctrl-C twice)") -> Callable[[], None]:
    """Once a first Ctrl-C is being handled: make another one do :func:`interrupted_again`. Returns what
    puts the previous handler back; with :func:`exit_at_once_on_repeat` that does nothing, since the
    process is stopping. Only the main thread can set a handler: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return _nothing

    def handler(signum: int, frame: Any) -> None:
        interrupted_again(message)

    previous = signal.signal(signal.SIGINT, handler)
    if _settings["exit_at_once"]:
        return _nothing

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)

    return restore


@contextlib.contextmanager
def repeat_stops_at_once(message: str = "stopped at once (Ctrl-C twice)") -> Iterator[None]:
    """:func:`brace_for_repeat` for the duration of a ``with`` block."""
    restore = brace_for_repeat(message)
    try:
        yield
    finally:
        restore()


def _nothing() -> None:
    pass


# ---------------------------------------------------------------------- the loop thread
class Portal:
    """A private event loop on a daemon thread, so sync code (and Jupyter cells) can run coroutines."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="attio-client-loop", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        """Run the loop until :meth:`close`. A ``KeyboardInterrupt`` (or ``SystemExit``) escaping a task
        ends that task (whose caller hears of it), not the loop: the loop goes on serving."""
        asyncio.set_event_loop(self.loop)
        while not self.loop.is_closed():
            try:
                self.loop.run_forever()
                return
            except BaseException:  # the task it escaped from holds it for its caller
                continue

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and return its result. Ctrl-C cancels it and waits a few seconds for it
        to unwind before raising ``KeyboardInterrupt``; a second Ctrl-C stops the waiting at once."""
        if not self.thread.is_alive():
            coro.close()
            raise RuntimeError("the client is closed")
        outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
        tasks: list[asyncio.Task[T]] = []
        try:
            self.loop.call_soon_threadsafe(self._start, coro, outcome, tasks)
            return self._wait(outcome)
        except WorkerInterrupted:
            raise KeyboardInterrupt from None
        except KeyboardInterrupt:
            with repeat_stops_at_once():
                self.loop.call_soon_threadsafe(_cancel, tasks)
                with contextlib.suppress(concurrent.futures.CancelledError, TimeoutError):
                    outcome.exception(timeout=UNWIND_SECONDS)  # woken by the cancellation too
            raise

    def _start(
        self,
        coro: Coroutine[Any, Any, T],
        outcome: concurrent.futures.Future[T],
        tasks: list[asyncio.Task[T]],
    ) -> None:
        task = self.loop.create_task(coro)
        task.add_done_callback(functools.partial(_settle, outcome=outcome))
        tasks.append(task)

    def _wait(self, outcome: concurrent.futures.Future[T]) -> T:
        """The outcome's result, raising if the loop thread is gone (rather than waiting forever)."""
        while True:
            try:
                return outcome.result(timeout=0.5)
            except TimeoutError:
                if not self.thread.is_alive():
                    raise RuntimeError("the client's event loop stopped unexpectedly") from None

    def close(self, timeout: float = 5.0) -> None:
        """Stop the loop (tasks still on it are dropped) and close it."""
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=timeout)
        if not self.thread.is_alive():
            self.loop.close()


def _cancel(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()


def _settle(task: asyncio.Task[T], *, outcome: concurrent.futures.Future[T]) -> None:
    """Pass a finished task's result, error or cancellation to the waiting thread."""
    if outcome.done():
        return
    if task.cancelled():
        outcome.cancel()
    elif (error := task.exception()) is not None:
        outcome.set_exception(error)
    else:
        outcome.set_result(task.result())


__all__ = [
    "EXIT_INTERRUPTED",
    "UNWIND_SECONDS",
    "Portal",
    "WorkerInterrupted",
    "brace_for_repeat",
    "exit_at_once_on_repeat",
    "exit_now",
    "in_thread",
    "in_worker",
    "interrupted_again",
    "repeat_stops_at_once",
]
