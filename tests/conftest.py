"""Fixtures: ``app`` (fresh in-process database per test), ``client``, ``world``,
``login`` and the logged-in clients ``admin_client`` / ``officer_client``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from services import db
from tests import factories, strict_store

# every in-process database of the suite is the strict store (see tests/strict_store.py)
db.MOCK_CLIENT = strict_store.StrictMongoClient


def pytest_report_header() -> str:
    return f"strict store: STRICT_STORE_SEED={strict_store.SEED}"


@pytest.fixture
def app() -> Iterator[Flask]:
    application = create_app({
        "MONGODB_URI": f"mongomock://localhost/test_{uuid.uuid4().hex}",
        "SECRET_KEY": "test-secret",
        "SEED_DEMO": False,
        "DEMO_MODE": False,
        "TESTING": True,
    })
    # No app context is held open here: requests must each get their own ``g``, or
    # Flask-Login's cached ``g._login_user`` would leak from one client to another.
    yield application


@pytest.fixture(autouse=True)
def integrity_after(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every scenario that used a database: ``flask check`` must find it clean
    (tests that break the data on purpose are marked ``inconsistent``)."""
    yield
    if "app" in request.fixturenames and not request.node.get_closest_marker("inconsistent"):
        from services import integrity

        report = integrity.check()
        assert report.clean, "\n".join(report.lines())


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


def seen_version(client: FlaskClient, path: str) -> str:
    """The record's version an edit page carries (``seen_version``), as a browser would post it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="seen_version"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="seen_version"', html)
    assert match, f"no seen_version on {path}"
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
