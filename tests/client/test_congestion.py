"""The query pacer: free until a 429, then under the budget the 429 revealed, probing for more later."""

from __future__ import annotations

import asyncio

from cleanup.client.congestion import QueryBudget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_without_a_429_nothing_waits_and_nothing_piles_up() -> None:
    clock = Clock()
    budget = QueryBudget(window=10.0, clock=clock)

    async def many() -> None:
        for _ in range(1000):
            async with budget.query("/v2/objects/people/records/query"):
                pass
            budget.answered("/v2/objects/people/records/query", 2.0)
            clock.now += 0.1

    asyncio.run(many())
    assert budget.estimate is None
    assert budget.spent() <= 2.0 * 101  # only the last window is kept


def test_a_429_sets_the_budget_and_the_next_query_waits_for_room() -> None:
    clock = Clock()
    budget = QueryBudget(window=10.0, clock=clock)
    path = "/v2/objects/people/records/query"
    for _ in range(4):
        budget.answered(path, 2.0)
        clock.now += 1.0
    budget.refused(path)
    assert budget.estimate == 9.0  # spent 8, and the refused query's 2 would have passed it: the middle
    assert budget._wait(budget.expected(path)) == 6.0  # room for 1 of 2 until the oldest leaves, at 1010
    clock.now += 6.0
    assert budget._wait(budget.expected(path)) == 0.0


def test_a_query_dearer_than_the_whole_estimate_still_goes() -> None:
    clock = Clock()
    budget = QueryBudget(window=10.0, clock=clock)
    budget.answered("/v2/lists/big/entries/query", 20.0)
    clock.now += 11.0
    budget.answered("/v2/objects/people/records/query", 2.0)
    budget.refused("/v2/objects/people/records/query")
    assert budget.estimate == 3.0
    assert budget.expected("/v2/lists/big/entries/query") == 3.0  # never more than the estimate
    clock.now += 10.0
    assert budget._wait(budget.expected("/v2/lists/big/entries/query")) == 0.0


def test_quiet_windows_probe_for_more_and_a_429_goes_back_to_what_held() -> None:
    clock = Clock()
    budget = QueryBudget(window=10.0, clock=clock)
    path = "/v2/objects/people/records/query"
    budget.answered(path, 2.0)
    budget.refused(path)
    held = budget.estimate
    assert held == 3.0
    for _ in range(21):
        clock.now += 1.0
        budget.answered(path, 2.0)
    assert budget.estimate == max(held * 1.25, held + 2.0)  # two quiet windows: a quarter more, or a query
    budget.refused(path)  # the probe was refused: back to what held
    assert budget.estimate == held


def test_waiting_queries_are_let_go_as_room_frees() -> None:
    path = "/v2/objects/people/records/query"

    async def scenario() -> list[int]:
        budget = QueryBudget(window=0.2)
        budget.answered(path, 1.0)
        budget.refused(path)  # estimate 1.5: one query at a time in the window
        order: list[int] = []

        async def one(i: int) -> None:
            async with budget.query(path):
                order.append(i)
            budget.answered(path, 1.0)

        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(4))), timeout=5)
        return order

    assert sorted(asyncio.run(scenario())) == [0, 1, 2, 3]
