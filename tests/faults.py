"""Faults of a replica set in trouble, for the tests of what an officer then sees.

* ``write_timeout``: writes are not acknowledged by a majority in time, pymongo raises
  ``WTimeoutError`` (code 64, what a replica set with a member down answers to ``w=majority``).
* ``lost_primary``: the primary goes away mid-request, pymongo raises ``AutoReconnect``
  (after its one retry of a retryable read or write).

On the **wire** store the server itself fails the commands (SecantusDB's ``failCommand`` fail
point, as mongod's, started with ``--enable-test-commands``): a ``writeConcernError`` in the
reply, or a closed connection, so pymongo raises the error through its own code path. On the
**mock** store (mongomock never reaches pymongo) the same pymongo exceptions are raised from
mongomock's ``Collection``, on the named collection only (the fail point fails every
collection's commands of that kind).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pymongo.errors import AutoReconnect, WTimeoutError

from tests import stores

WRITES = {"insert": ("insert_one", "insert_many"), "update": ("update_one", "update_many", "replace_one"),
          "findAndModify": ("find_one_and_update", "find_one_and_replace", "find_one_and_delete"),
          "delete": ("delete_one", "delete_many")}
READS = {"find": ("find",), "aggregate": ("aggregate",)}


def _wire_fail(data: dict) -> Iterator[None]:
    admin = stores.current().client().admin
    admin.command({"configureFailPoint": "failCommand", "mode": "alwaysOn", "data": data})
    try:
        yield
    finally:
        admin.command({"configureFailPoint": "failCommand", "mode": "off"})


def _mock_fail(collection: str, methods: list[str], error: Exception) -> Iterator[None]:
    import mongomock
    import pytest

    with pytest.MonkeyPatch.context() as patch:
        for name in methods:
            original = getattr(mongomock.Collection, name)

            def failing(self, *args, _original=original, **kwargs):
                if self.name == collection:
                    raise error
                return _original(self, *args, **kwargs)

            patch.setattr(mongomock.Collection, name, failing)
        yield


@contextmanager
def write_timeout(collection: str) -> Iterator[None]:
    """Writes (to ``collection`` on the mock store; every write on the wire) time out waiting for the majority."""
    if stores.is_wire():
        yield from _wire_fail({"failCommands": list(WRITES), "writeConcernError": {
            "code": 64, "codeName": "WriteConcernFailed", "errmsg": "waiting for replication timed out",
            "errInfo": {"wtimeout": True}}})
    else:
        yield from _mock_fail(collection, [m for ms in WRITES.values() for m in ms],
                              WTimeoutError("waiting for replication timed out", 64, {"errInfo": {"wtimeout": True}}))


@contextmanager
def lost_primary(collection: str) -> Iterator[None]:
    """The primary is gone: reads and writes (of ``collection`` on the mock store) lose their connection."""
    if stores.is_wire():
        yield from _wire_fail({"failCommands": [*WRITES, *READS], "closeConnection": True})
    else:
        yield from _mock_fail(collection, [m for ms in (*WRITES.values(), *READS.values()) for m in ms],
                              AutoReconnect("connection closed: the primary is gone"))
