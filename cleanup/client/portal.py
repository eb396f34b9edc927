"""The sync client's private event loop thread, and what Ctrl-C does to the work running on it.

Sync code (scripts, notebooks, the command line) runs coroutines through a :class:`Portal`: an anyio
blocking portal (:class:`anyio.from_thread.BlockingPortal`, asyncio backend: the client's code uses asyncio's
own primitives) whose loop runs on a daemon thread, while the calling thread waits for the result. Ctrl-C is
handled in one place for every command:

- A Ctrl-C in the waiting (main) thread cancels the task on the loop and waits a few seconds
  (:data:`UNWIND_SECONDS`) for it to unwind — requests in flight are dropped, files being written are
  left as a kill would leave them — then raises ``KeyboardInterrupt`` to the caller.
- A Ctrl-C raised inside a worker thread (Polars raises ``KeyboardInterrupt`` in the thread it computes
  in) becomes :class:`WorkerInterrupted` there (see :func:`in_thread`), an ordinary error in the loop;
  the caller gets ``KeyboardInterrupt``. One that still escapes a task ends that task, never the loop.
- A second Ctrl-C while the work unwinds stops waiting at once. The command line (see
  :func:`exit_at_once_on_repeat`) then ends the process at once with exit code 130 and one line on stderr,
  as a kill would: the export's manifest and the executor's journal are made to survive that.

Calls go through the portal's ``start_task_soon``, and a Ctrl-C cancels the future it returns. Three parts
stay hand-made, each because anyio's own would break one of the promises above:

- The thread. ``start_blocking_portal`` is a context manager whose exit joins the loop thread with no
  timeout; and a client never closed (a notebook's, a script's) leaves it un-exited, so at interpreter exit
  its generator is finalized, calls into the loop thread (frozen by then, as a daemon) and hangs the exit
  forever. :meth:`Portal.close` must return within its timeout (it asks the loop to stop the portal
  without waiting for an answer, as ``portal.call`` would), and an unclosed client must not hang the exit.
- The loop (:class:`_ServingLoop`). asyncio lets a ``KeyboardInterrupt`` or ``SystemExit`` escaping any task
  out of the loop, which would end ``anyio.run`` and the portal with it; this loop goes on serving.
- The task. anyio's cancellation is level-triggered: every ``await`` inside a cancelled scope is cancelled
  again, so a ``finally`` that awaits while unwinding would be cut short. The coroutine runs as a plain
  asyncio task under the portal's, cancelled once (as ``asyncio.run`` does), and the portal's task waits for
  it shielded.
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
from typing import Any, Generic, NoReturn, ParamSpec, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

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
    """A private event loop on a daemon thread, so sync code (and Jupyter cells) can run coroutines.
    :attr:`portal` is its anyio blocking portal, :attr:`loop` its event loop, :attr:`thread` the thread
    that loop runs on."""

    def __init__(self) -> None:
        self._stopped = False
        started: concurrent.futures.Future[BlockingPortal] = concurrent.futures.Future()
        self.thread = threading.Thread(target=_serve, args=(started,), name="attio-client-loop", daemon=True)
        self.thread.start()
        self.portal = started.result()
        self.loop = self.portal.call(asyncio.get_running_loop)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (or the loop thread is gone)."""
        return self._stopped or not self.thread.is_alive()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and return its result. Ctrl-C cancels it and waits a few seconds for it
        to unwind before raising ``KeyboardInterrupt``; a second Ctrl-C stops the waiting at once."""
        if self.closed:
            coro.close()
            raise RuntimeError("the client is closed")
        call = _Call(coro)
        try:
            return self._wait(call.start(self.portal))
        except WorkerInterrupted:
            raise KeyboardInterrupt from None
        except _Escaped as escaped:
            raise escaped.error from None
        except KeyboardInterrupt:
            with repeat_stops_at_once():
                call.cancel()
                call.unwound.wait(UNWIND_SECONDS)
            raise

    def _wait(self, future: concurrent.futures.Future[T]) -> T:
        """The future's result, raising if the loop thread is gone (rather than waiting forever)."""
        while True:
            try:
                return future.result(timeout=0.5)
            except TimeoutError:
                if not self.thread.is_alive():
                    raise RuntimeError("the client's event loop stopped unexpectedly") from None

    def close(self, timeout: float = 5.0) -> None:
        """Stop the loop: tasks still on it are cancelled and given ``timeout`` seconds to unwind, then left
        to the daemon thread (closing twice does nothing)."""
        if not self.closed:
            self._stopped = True
            stop = self.portal.stop(cancel_remaining=True)
            try:  # not portal.call(), which would wait for a loop too busy to answer
                asyncio.run_coroutine_threadsafe(stop, self.loop)
            except RuntimeError:  # the loop is closed already
                stop.close()
        self.thread.join(timeout=timeout)


def _serve(started: concurrent.futures.Future[BlockingPortal]) -> None:
    """The loop thread: an anyio blocking portal on a :class:`_ServingLoop`, until the portal is stopped."""

    async def serve() -> None:
        async with BlockingPortal() as portal:
            started.set_result(portal)
            await portal.sleep_until_stopped()

    try:
        anyio.run(serve, backend="asyncio", backend_options={"loop_factory": _ServingLoop})
    except BaseException as error:
        if started.done():
            raise
        started.set_exception(error)


class _Escaped(Exception):
    """A ``KeyboardInterrupt`` or ``SystemExit`` out of a call, carried to its caller as an ordinary error:
    anyio's portal lets base exceptions out of the call's task, which would stop its task group."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(repr(error))
        self.error = error


class _Call(Generic[T]):
    """One coroutine run through the portal, and what the waiting thread needs to cancel it."""

    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self.coro = coro
        self.future: concurrent.futures.Future[T] | None = None
        self.task: asyncio.Task[T] | None = None  # the coroutine's, on the loop
        self.unwound = threading.Event()  # the coroutine has finished (or will never start)
        self.dropped = False  # cancelled before it started: it never will

    def start(self, portal: BlockingPortal) -> concurrent.futures.Future[T]:
        try:
            self.future = portal.start_task_soon(self.serve)
        except RuntimeError:  # the portal stopped meanwhile, or this is its own thread
            self.coro.close()
            raise
        return self.future

    def cancel(self) -> None:
        """From the waiting thread. A Ctrl-C during :meth:`start` leaves no future to cancel: the call
        then closes the coroutine instead of running it, or cancels its task if it started meanwhile."""
        self.dropped = True
        if self.future is not None:
            self.future.cancel()
        elif self.task is not None:
            self.task.get_loop().call_soon_threadsafe(self.task.cancel)

    async def serve(self) -> T:
        """On the loop, in a task of the portal's task group (whose cancellation the future's brings)."""
        if self.dropped:
            self.coro.close()
            self.unwound.set()
            raise asyncio.CancelledError
        self.task = task = asyncio.get_running_loop().create_task(self.coro)
        task.add_done_callback(lambda _: self.unwound.set())
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.cancel()  # once: the coroutine may await while it unwinds
            with anyio.CancelScope(shield=True):
                await asyncio.wait([task])
            raise
        except (KeyboardInterrupt, SystemExit) as error:
            raise _Escaped(error) from None


if sys.platform == "win32":  # the loop asyncio.new_event_loop() gives
    _DefaultLoop = asyncio.ProactorEventLoop
else:
    _DefaultLoop = asyncio.SelectorEventLoop


class _ServingLoop(_DefaultLoop):
    """The portal's event loop. A ``KeyboardInterrupt`` or ``SystemExit`` escaping a task (asyncio lets them
    out of the loop) ends that task, whose awaiter hears of it, not the loop: the loop goes on serving."""

    _stop_asked = False

    def stop(self) -> None:
        self._stop_asked = True
        super().stop()

    def run_forever(self) -> None:
        while True:
            try:
                super().run_forever()
            except (KeyboardInterrupt, SystemExit):
                if not self._stop_asked:
                    continue
            self._stop_asked = False
            return


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
