"""Connection to MongoDB (production) or to the in-process store (tests, demo)."""

from __future__ import annotations

from urllib.parse import urlsplit

import mongoengine
from flask import Flask


def connect(uri: str, timeout_ms: int = 5000) -> None:
    """(Re)connect the default alias. ``mongomock://localhost/<db>`` selects the
    in-process store; anything else goes to pymongo with majority writes."""
    mongoengine.disconnect_all()
    if uri.startswith("mongomock://"):
        import mongomock
        import mongomock.gridfs

        # Teaches pymongo's gridfs to accept the in-process store (attachments, backups).
        mongomock.gridfs.enable_gridfs_integration()
        from . import mongomock_bulk

        mongomock_bulk.install()  # pymongo's bulk requests, as real MongoDB takes them
        db = urlsplit(uri).path.strip("/") or "dang"
        mongoengine.connect(db=db, host="mongodb://localhost", mongo_client_class=mongomock.MongoClient,
                            uuidRepresentation="standard")
    else:
        # w=majority: a write acknowledged to the officer survives a primary failover.
        mongoengine.connect(host=uri, w="majority", uuidRepresentation="standard",
                            serverSelectionTimeoutMS=timeout_ms, tz_aware=False)


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
    connect(app.config["MONGODB_URI"], app.config["MONGODB_TIMEOUT_MS"])
    try:
        ensure_indexes()
    except Exception:  # unreachable database: /healthz and the error page say so
        app.logger.exception("Không tạo được chỉ mục (index) cơ sở dữ liệu.")
