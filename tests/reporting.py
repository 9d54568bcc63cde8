"""Fixtures of the reporting tests: a district with two communes and their officers, built on
1/11/2026 under a frozen clock that each test moves on (time-machine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from tests import factories


def at(day: int, month: int = 11, year: int = 2026, hour: int = 3) -> dt.datetime:
    """A moment of that Vietnamese day (03:00 UTC = 10:00 in Vietnam)."""
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def clock(app) -> Iterator[time_machine.Coordinates]:
    """The register is built on 1/11/2026; each test moves the clock on from there."""
    with time_machine.travel(at(1), tick=False) as traveller:
        yield traveller


@pytest.fixture
def district(clock) -> factories.World:
    w = factories.world()
    factories.user("canbo_a", w.commune_a, "officer")
    factories.user("canbo_b", w.commune_b, "officer")
    factories.user("huyen", w.district, "officer")
    return w
