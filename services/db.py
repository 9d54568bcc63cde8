"""Connection to MongoDB (production) or to the in-process store (tests, demo)."""

from __future__ import annotations

from urllib.parse import urlsplit

import mongoengine
from flask import Flask
from pymongo.errors import WTimeoutError

#: the in-process client class; None is mongomock's. The test suite sets its strict store
#: (``tests/strict_store.py``), which behaves like MongoDB where mongomock is kinder.
MOCK_CLIENT: type | None = None


def connect(uri: str, timeout_ms: int = 5000, wtimeout_ms: int = 5000) -> None:
    """(Re)connect the default alias. ``mongomock://localhost/<db>`` selects the
    in-process store; anything else goes to pymongo with majority writes that give up
    after ``wtimeout_ms`` (the officer sees the 503 page instead of a hung worker)."""
    mongoengine.disconnect_all()
    if uri.startswith("mongomock://"):
        import mongomock
        import mongomock.gridfs

        # Teaches pymongo's gridfs to accept the in-process store (attachments, backups).
        mongomock.gridfs.enable_gridfs_integration()
        db = urlsplit(uri).path.strip("/") or "dang"
        mongoengine.connect(db=db, host="mongodb://localhost", mongo_client_class=MOCK_CLIENT or mongomock.MongoClient,
                            uuidRepresentation="standard")
    else:
        # w=majority: a write acknowledged to the officer survives a primary failover;
        # wtimeoutMS: with a replica-set member down the write is not waited for forever.
        # Every read goes to the primary (pymongo's default, stated here): no screen may show
        # a secondary's stale copy right after a save.
        mongoengine.connect(host=uri, w="majority", wtimeoutMS=wtimeout_ms, readPreference="primary",
                            uuidRepresentation="standard", serverSelectionTimeoutMS=timeout_ms, tz_aware=False)


def write_timed_out(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it wraps: MongoEngine turns pymongo's errors into its own
    ``OperationError``) is a write-concern timeout."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, WTimeoutError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def ensure_indexes() -> None:
    import models

    for name in models.__all__:
        model = getattr(models, name)
        if isinstance(model, type) and issubclass(model, mongoengine.Document):
            model.ensure_indexes()


def ping() -> bool:
    try:
        mongoengine.get_db().command("ping")
        return True
    except Exception:
        return False


def init_app(app: Flask) -> None:
    connect(app.config["MONGODB_URI"], app.config["MONGODB_TIMEOUT_MS"], app.config.get("MONGODB_WTIMEOUT_MS", 5000))
    try:
        ensure_indexes()
    except Exception:  # unreachable database: /healthz and the error page say so
        app.logger.exception("Không tạo được chỉ mục (index) cơ sở dữ liệu.")
