"""Ensure that a list page costs the same number of database round trips whatever
its page size (no query per row)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.budget import Budget

#: the commands that read (pymongo's names; ``count`` is ``count_documents``, see tests/budget.py)
READS = ("find", "count", "aggregate", "distinct")


class Reads:
    """The reads sent while ``budget`` is open, as ``collection.command``."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def clear(self) -> None:
        self.budget.reset()

    def __iter__(self):
        return iter(f"{c}.{n}" for c, n in self.budget.commands if n in READS)


@pytest.fixture
def count_calls():
    with Budget() as budget:
        yield Reads(budget)


@pytest.mark.parametrize("endpoint", ["member", "socialaccount", "site", "organisation", "user"])
def test_list_round_trips_do_not_grow_with_page_size(admin_client, world, count_calls, endpoint):
    for i in range(60):
        m = factories.member(world.cell_a if i % 2 else world.cell_b, f"Người Thứ {i}")
        factories.account(m, f"https://www.facebook.com/nguoi{i}")
        factories.site(m, f"nguoi{i}.blogspot.com")
        factories.user(f"canbo{i}", world.cell_a if i % 2 else world.cell_b)
    costs = {}
    for size in (20, 100):
        count_calls.clear()
        r = admin_client.get(f"/admin/{endpoint}/?page_size={size}")
        assert r.status_code == 200
        costs[size] = list(count_calls)
    assert len(costs[20]) == len(costs[100]), costs
    assert len(costs[100]) <= 9, costs  # 8 + the user's columns and saved filters (one query)
