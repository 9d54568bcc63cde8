"""Fixtures: ``app`` (fresh in-process database per test), ``client``, ``world``,
``login`` and the logged-in clients ``admin_client`` / ``officer_client``."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from tests import budget, factories, stores, strict_store  # noqa: F401 - budget: its listener before any client


# --- the store (tests/stores.py): --store=mock (default) or --store=wire ---------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--store", choices=stores.NAMES, default="mock",
                     help="mock: the strict in-process store (quick); wire: a SecantusDB server over the wire protocol")


def pytest_configure(config: pytest.Config) -> None:
    stores.select(config.getoption("--store"))
    _travel_to_test_clock(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    stores.current().stop()


def pytest_report_header() -> str:
    clock = f"; clock: TEST_CLOCK={os.environ['TEST_CLOCK']}" if os.environ.get("TEST_CLOCK") else ""
    if stores.is_wire():
        return "store: wire (SecantusDB, started on first use)" + clock
    return f"store: mock (strict store: STRICT_STORE_SEED={strict_store.SEED})" + clock


def clock_destination(raw: str, now: dt.datetime | None = None) -> dt.datetime:
    """``TEST_CLOCK`` as an aware UTC moment: a full ISO moment (``2027-01-01T00:30Z``), or
    month-day-time without a year (``11-30T20:00Z``), meaning its next occurrence after now,
    so that a date written into a test today meets that calendar day before it passes."""
    now = now or dt.datetime.now(dt.UTC)
    text = raw.strip().replace("Z", "+00:00")
    if len(text.split("T")[0]) == 5:  # MM-DD
        moment = dt.datetime.fromisoformat(f"{now.year}-{text}")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment if moment > now else moment.replace(year=now.year + 1)
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _travel_to_test_clock(config: pytest.Config) -> None:
    """``TEST_CLOCK`` set: the whole session runs at that moment, the clock ticking from there
    (``make test-clocks`` runs the date-sensitive files at the month and year boundaries)."""
    raw = os.environ.get("TEST_CLOCK")
    if raw:
        import time_machine

        traveller = time_machine.travel(clock_destination(raw), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A fresh database of the run's store, dropped after the test. Before that, ``flask check``
    must find it clean (tests that break the data on purpose are marked ``inconsistent``)."""
    store = stores.current()
    uri = store.reusable_uri()
    application = create_app({
        **store.config("test"),
        "MONGODB_URI": uri,
        "SECRET_KEY": "test-secret",
        "SEED_DEMO": False,
        "DEMO_MODE": False,
        "TESTING": True,
    })
    # No app context is held open here: requests must each get their own ``g``, or
    # Flask-Login's cached ``g._login_user`` would leak from one client to another.
    store.ready(uri)
    yield application
    try:
        if not request.node.get_closest_marker("inconsistent"):
            from services import integrity

            with application.app_context():
                report = integrity.check()
            assert report.clean, "\n".join(report.lines())
    finally:
        store.release(uri)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def world(app: Flask) -> factories.World:
    return factories.world()


def csrf_token(client: FlaskClient, path: str = "/login/") -> str:
    """Read the CSRF token from a rendered page (as a browser would)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login(app: Flask) -> Callable[..., FlaskClient]:
    def _login(username: str, password: str = factories.PASSWORD) -> FlaskClient:
        c = app.test_client()
        token = csrf_token(c)
        r = c.post("/login/", data={"username": username, "password": password, "csrf_token": token})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return c
    return _login


@pytest.fixture
def admin_client(world: factories.World, login: Callable[..., FlaskClient]) -> FlaskClient:
    factories.user("quantri", world.district, "admin")
    return login("quantri")


@pytest.fixture
def officer_client(world: factories.World, login: Callable[..., FlaskClient]) -> FlaskClient:
    """Officer of commune A (sibling of commune B)."""
    factories.user("canbo_a", world.commune_a, "officer")
    return login("canbo_a")
