"""Ensure that a list page costs the same number of database round trips whatever
its page size (no query per row)."""

from __future__ import annotations

import mongomock.collection
import pytest

from tests import factories

OPERATIONS = ["find", "find_one", "count_documents", "aggregate", "estimated_document_count"]


@pytest.fixture
def count_calls(monkeypatch):
    calls: list[str] = []
    for name in OPERATIONS:
        original = getattr(mongomock.collection.Collection, name)

        def wrapper(self, *args, _original=original, _name=name, **kwargs):
            calls.append(f"{self.name}.{_name}")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(mongomock.collection.Collection, name, wrapper)
    return calls


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
