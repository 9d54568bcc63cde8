"""Fixtures: ``app`` (fresh in-process database per test), ``client``, ``world``,
``login`` and the logged-in clients ``admin_client`` / ``officer_client``."""

from __future__ import annotations

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


def pytest_unconfigure(config: pytest.Config) -> None:
    stores.current().stop()


def pytest_report_header() -> str:
    if stores.is_wire():
        return "store: wire (SecantusDB, started on first use)"
    return f"store: mock (strict store: STRICT_STORE_SEED={strict_store.SEED})"


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
