"""The suite's two stores, chosen with ``pytest --store=mock|wire`` (default ``mock``).

* ``mock``: the strict in-process store (``tests/strict_store.py``, mongomock made as strict
  as MongoDB where it is kinder). Quick; no server.
* ``wire``: SecantusDB, a MongoDB-compatible server spoken to over the wire protocol by
  pymongo (``services/local_server.py``). Started once per session on a free port with its
  data in a temporary folder, stopped at the end; every test gets a fresh database, dropped
  after it. Subprocesses of the suite (the browser tests' panel) reuse the same server:
  :func:`current` reads ``PANEL_TEST_STORE`` / ``PANEL_TEST_STORE_URI`` from the environment.

A test or benchmark builds its app with ``create_app({**stores.current().config("name"), …})``
and never spells a URI itself.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pymongo import monitoring

NAMES = ("mock", "wire")


class MockStore:
    name = "mock"

    def uri(self, prefix: str) -> str:
        return f"mongomock://localhost/{prefix}_{uuid.uuid4().hex}"

    def config(self, prefix: str = "test") -> dict[str, Any]:
        from tests import strict_store

        return {"MONGODB_URI": self.uri(prefix), "MONGO_CLIENT_CLASS": strict_store.StrictMongoClient}

    def drop(self, uri: str) -> None:
        """Nothing to do: every in-process client has a store of its own, gone with the client
        (the next ``create_app`` disconnects it)."""

    def reusable_uri(self) -> str:
        return self.uri("test")

    def environment(self) -> dict[str, str]:
        """For a subprocess of the suite (the browser tests' panel): the same store."""
        return {"PANEL_TEST_STORE": self.name}

    def ready(self, uri: str) -> None:
        pass

    release = drop

    def stop(self) -> None:
        pass


#: commands after which a test's database is not handed to the next test but dropped
_SCHEMA_COMMANDS = {"createIndexes", "dropIndexes", "drop", "dropDatabase", "collMod", "create", "renameCollection"}


class _SchemaWatch(monitoring.CommandListener):
    """Names of the databases whose indexes or collections a command changed."""

    def __init__(self) -> None:
        self.changed: set[str] = set()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in _SCHEMA_COMMANDS:
            self.changed.add(event.database_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


_watch = _SchemaWatch()
monitoring.register(_watch)  # before any client is made (tests/conftest.py imports this module first)


class WireStore:
    """SecantusDB for the session; ``base`` (``mongodb://host:port``) reuses a running one.

    Building the ~150 declared indexes of a new database costs the server about 0.6 s, which
    over 900 tests would double the run. So a test's database is *emptied* after it (each
    collection's documents deleted, its indexes kept) and handed to a later test, which then
    gets exactly what a fresh database plus ``ensure_indexes`` gives (``ensure_indexes`` sends
    nothing for an index already there). A database on which the test changed indexes or
    collections (any ``createIndexes``, ``dropIndexes``, ``drop`` … after its app was made,
    seen by command monitoring) is dropped instead, as is every collection the models do not
    declare (GridFS's, a test's own)."""

    name = "wire"

    def __init__(self, base: str | None = None) -> None:
        self._base = base
        self._server = None
        self._folder: str | None = None
        self._admin = None
        self._pool: list[str] = []
        self._models: set[str] | None = None

    @property
    def base(self) -> str:
        if self._base is None:
            from services import local_server

            self._folder = tempfile.mkdtemp(prefix="secantus-test-")
            # fail points on: the fault tests of tests/test_app.py arm ``failCommand``
            self._server = local_server.start(Path(self._folder) / "db", test_commands=True, own_session=False)
            self._base = self._server.uri
            atexit.register(self.stop)
            if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                # a run stopped with SIGTERM (timeout, CI) ends as an interrupted one: the server is stopped
                signal.signal(signal.SIGTERM, _interrupt)
        return self._base

    def uri(self, prefix: str) -> str:
        return f"{self.base}/{prefix}_{uuid.uuid4().hex[:16]}"

    def environment(self) -> dict[str, str]:
        """For a subprocess of the suite (the browser tests' panel): this server."""
        return {"PANEL_TEST_STORE": self.name, "PANEL_TEST_STORE_URI": self.base}

    def reusable_uri(self) -> str:
        """An emptied database of an earlier test, or a new one (see :meth:`release`)."""
        return f"{self.base}/{self._pool.pop()}" if self._pool else self.uri("test")

    def ready(self, uri: str) -> None:
        """The app is made (its indexes built): from here on a schema change spoils the database."""
        _watch.changed.discard(urlsplit(uri).path.strip("/"))

    def release(self, uri: str) -> None:
        """After the test: empty the database for a later test, or drop it (see the class)."""
        name = urlsplit(uri).path.strip("/")
        if name in _watch.changed:
            _watch.changed.discard(name)
            self.drop(uri)
            return
        if self._models is None:
            from services import db

            self._models = {m._get_collection_name() for m in db.documents()}
        database = self.client()[name]
        for collection in database.list_collection_names():
            if collection in self._models:
                database[collection].delete_many({})
            else:
                database.drop_collection(collection)
        self._pool.append(name)

    def config(self, prefix: str = "test") -> dict[str, Any]:
        return {"MONGODB_URI": self.uri(prefix)}

    def client(self):
        import pymongo

        if self._admin is None:
            self._admin = pymongo.MongoClient(self.base, serverSelectionTimeoutMS=5000)
        return self._admin

    def drop(self, uri: str) -> None:
        self.client().drop_database(urlsplit(uri).path.strip("/"))

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt("SIGTERM")


_current: MockStore | WireStore | None = None


def select(name: str) -> MockStore | WireStore:
    global _current
    if name not in NAMES:
        raise ValueError(f"unknown store {name!r} (one of {', '.join(NAMES)})")
    _current = WireStore(os.environ.get("PANEL_TEST_STORE_URI")) if name == "wire" else MockStore()
    return _current


def current() -> MockStore | WireStore:
    """The store of this run (``--store``, or for a subprocess ``PANEL_TEST_STORE``)."""
    return _current or select(os.environ.get("PANEL_TEST_STORE") or "mock")


def is_wire() -> bool:
    return current().name == "wire"
