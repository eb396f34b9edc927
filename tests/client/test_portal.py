"""The sync client's portal (an anyio blocking portal on a daemon thread) on its own: what Ctrl-C does to the
work on its loop, errors and interrupts that escape a task, closing, and a process that never closes it.
The Ctrl-Cs are real SIGINTs sent to the main thread (the test's), as a terminal would."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import pytest

from cleanup.client.portal import UNWIND_SECONDS, Portal, WorkerInterrupted, in_thread

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to a thread")


def _ctrl_c_after(*seconds: float) -> None:
    """A Ctrl-C for the main thread after each of ``seconds``: it interrupts a wait there at once."""
    for delay in seconds:
        threading.Timer(delay, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT)).start()


@pytest.fixture
def portal() -> Iterator[Portal]:
    portal = Portal()
    yield portal
    portal.close()


def test_the_work_can_await_as_it_unwinds_from_a_ctrl_c(portal: Portal) -> None:
    unwound: list[str] = []

    async def work() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            unwound.append("cancelled")
            raise
        finally:
            for _ in range(3):  # cancelled once, as asyncio code expects: these awaits all run
                await asyncio.sleep(0.05)
            unwound.append("done")

    _ctrl_c_after(0.2)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        portal.run(work())
    assert unwound == ["cancelled", "done"]
    assert time.monotonic() - started < 1.5
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert portal.run(asyncio.sleep(0, "still serving")) == "still serving"


def test_a_second_ctrl_c_stops_waiting_for_the_unwinding_at_once(portal: Portal) -> None:
    async def slow_to_unwind() -> None:
        try:
            await asyncio.sleep(30)
        finally:
            await asyncio.sleep(UNWIND_SECONDS - 1)

    _ctrl_c_after(0.2, 0.6)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        portal.run(slow_to_unwind())
    assert time.monotonic() - started < 2
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the repeat's handler is gone
    assert portal.run(asyncio.sleep(0, "still serving")) == "still serving"


def test_a_ctrl_c_while_the_loop_is_busy_drops_the_work_before_it_starts(portal: Portal) -> None:
    ran: list[str] = []

    async def work() -> None:
        ran.append("started")

    busy = portal.portal.start_task_soon(time.sleep, 1.0)  # sync work hogging the loop
    _ctrl_c_after(0.2)  # lands while the call waits for the loop to take it
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        portal.run(work())
    busy.result()
    assert time.monotonic() - started < 3
    assert ran == []
    assert portal.run(asyncio.sleep(0, "still serving")) == "still serving"


def test_errors_reach_the_caller_as_they_are_and_worker_interrupts_as_ctrl_c(portal: Portal) -> None:
    async def fails() -> None:
        raise ValueError("bad value")

    def interrupted() -> None:
        raise KeyboardInterrupt  # what Polars does in the thread it computes in

    async def interrupted_in_worker() -> None:
        raise WorkerInterrupted("interrupted")

    with pytest.raises(ValueError, match="bad value"):
        portal.run(fails())
    for work in (in_thread(interrupted), interrupted_in_worker()):
        with pytest.raises(KeyboardInterrupt):
            portal.run(work)
    assert portal.run(asyncio.sleep(0, "still serving")) == "still serving"


def test_an_interrupt_or_exit_escaping_any_task_ends_that_task_not_the_loop(portal: Portal) -> None:
    def parse() -> None:
        raise KeyboardInterrupt

    async def raw() -> None:  # no in_thread guard: asyncio lets the KeyboardInterrupt out of the loop
        await asyncio.get_running_loop().run_in_executor(None, parse)

    async def in_a_child_task() -> None:  # gather runs raw() as a task of its own
        await asyncio.gather(raw(), asyncio.sleep(0.05))

    async def exits() -> None:
        raise SystemExit(3)

    for work in (raw(), in_a_child_task()):
        with pytest.raises(KeyboardInterrupt):
            portal.run(work)
        assert portal.thread.is_alive()
        assert portal.run(asyncio.sleep(0, "still serving")) == "still serving"
    with pytest.raises(SystemExit) as exited:
        portal.run(exits())
    assert exited.value.code == 3
    assert portal.run(asyncio.sleep(0, "still serving")) == "still serving"


def test_calling_the_portal_from_its_own_loop_is_an_error_not_a_deadlock(portal: Portal) -> None:
    async def reenter() -> None:
        portal.run(asyncio.sleep(0))

    with pytest.raises(RuntimeError, match="event loop thread"):
        portal.run(reenter())


def test_close_cancels_what_still_runs_lets_it_unwind_and_refuses_more_work() -> None:
    portal = Portal()
    unwound: list[str] = []
    outcome: concurrent.futures.Future[None] = concurrent.futures.Future()

    async def work() -> None:
        try:
            await asyncio.sleep(30)
        finally:
            await asyncio.sleep(0.05)
            unwound.append("done")

    def caller() -> None:
        try:
            outcome.set_result(portal.run(work()))
        except BaseException as error:
            outcome.set_exception(error)

    threading.Thread(target=caller).start()
    time.sleep(0.2)
    started = time.monotonic()
    portal.close()
    assert time.monotonic() - started < 2
    assert unwound == ["done"]
    assert not portal.thread.is_alive()
    assert portal.closed
    with pytest.raises(concurrent.futures.CancelledError):
        outcome.result(timeout=1)
    leftover = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="the client is closed"):
        portal.run(leftover)
    assert inspect.getcoroutinestate(leftover) == inspect.CORO_CLOSED  # never to be awaited: no warning
    portal.close()  # again: nothing happens


def test_close_returns_within_its_timeout_even_while_the_loop_is_busy() -> None:
    portal = Portal()
    busy = portal.portal.start_task_soon(time.sleep, 1.5)  # sync work hogging the loop
    started = time.monotonic()
    portal.close(timeout=0.2)
    assert time.monotonic() - started < 1
    assert portal.closed
    busy.result(timeout=5)
    portal.thread.join(timeout=5)  # the loop stops once it is free again
    assert not portal.thread.is_alive()


def test_the_loop_runs_on_a_named_daemon_thread_and_an_unclosed_portal_lets_the_process_exit() -> None:
    portal = Portal()
    try:
        assert portal.thread.name == "attio-client-loop"
        assert portal.thread.daemon
    finally:
        portal.close()
    script = """
        import asyncio
        from cleanup.client.portal import Portal

        portal = Portal()  # never closed
        print(portal.run(asyncio.sleep(0, "ran")))
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ran"), done.stderr


def test_on_the_command_line_a_second_ctrl_c_ends_the_process_at_once() -> None:
    script = """
        import asyncio, sys
        from cleanup.client.portal import Portal, exit_at_once_on_repeat

        exit_at_once_on_repeat()

        async def work():
            try:
                print("ready", flush=True)
                await asyncio.sleep(60)
            finally:
                await asyncio.sleep(60)  # an unwinding that would outlast the wait

        Portal().run(work())
    """
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        started = time.monotonic()
        child.send_signal(signal.SIGINT)
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=UNWIND_SECONDS + 5)
    finally:
        child.kill()
    assert child.returncode == 130, stderr
    assert time.monotonic() - started < UNWIND_SECONDS - 1
    assert stderr.strip() == "stopped at once (Ctrl-C twice)"
