"""Connection to MongoDB (production) or to the in-process store (tests, demo)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import mongoengine
from flask import Flask
from pymongo.errors import OperationFailure

logger = logging.getLogger("database")


def connect(uri: str, timeout_ms: int = 5000) -> None:
    """(Re)connect the default alias. ``mongomock://localhost/<db>`` selects the
    in-process store; anything else goes to pymongo with majority writes."""
    mongoengine.disconnect_all()
    if uri.startswith("mongomock://"):
        import mongomock
        import mongomock.gridfs

        # Teaches pymongo's gridfs to accept the in-process store (attachments, backups).
        mongomock.gridfs.enable_gridfs_integration()
        _teach_bulk_write(mongomock)
        db = urlsplit(uri).path.strip("/") or "dang"
        mongoengine.connect(db=db, host="mongodb://localhost", mongo_client_class=mongomock.MongoClient,
                            uuidRepresentation="standard")
    else:
        # w=majority: a write acknowledged to the officer survives a primary failover.
        mongoengine.connect(host=uri, w="majority", uuidRepresentation="standard",
                            serverSelectionTimeoutMS=timeout_ms, tz_aware=False)


def _teach_bulk_write(mongomock) -> None:
    """pymongo 4.11+ passes ``sort`` to each bulk update/replace; mongomock 4.3 does not
    know the argument. Accept it when unused (we never sort inside a bulk write), so the
    in-process store runs the same ``bulk_write`` calls as MongoDB."""
    builder = mongomock.collection.BulkOperationBuilder
    if getattr(builder, "_accepts_sort", False):
        return
    for name in ("add_update", "add_replace"):
        original = getattr(builder, name)

        def accept(self, *args, _original=original, sort=None, **kwargs):
            if sort is not None:
                raise NotImplementedError("bulk update with sort is not supported by the in-process store")
            return _original(self, *args, **kwargs)

        setattr(builder, name, accept)
    builder._accepts_sort = True


#: index conflicts found by the last :func:`ensure_indexes`: (collection, index, message);
#: shown on ``/healthz`` to administrators and by ``flask check``
INDEX_PROBLEMS: list[tuple[str, str, str]] = []


def documents() -> list[type]:
    import models

    return [m for m in (getattr(models, n) for n in models.__all__)
            if isinstance(m, type) and issubclass(m, mongoengine.Document)]


def ensure_indexes() -> list[tuple[str, str, str]]:
    """Create every declared index, one by one. An index that exists with other options
    (changed since the last deployment) is a conflict: it is logged loudly and kept in
    :data:`INDEX_PROBLEMS`, and creation goes on with the next index and model (an
    administrator drops the old index, then runs ``flask check``). An unreachable
    database still raises."""
    problems: list[tuple[str, str, str]] = []
    for model in documents():
        # created here, at start-up, never on a model's first query (mongoengine's default),
        # where a conflict would fail every request that touches the collection
        model._meta["auto_create_index"] = False
        collection = model._get_collection()
        opts_default = model._meta.get("index_opts") or {}
        for spec in model._meta.get("index_specs") or []:
            spec = {**opts_default, **spec}
            fields = spec.pop("fields")
            spec.pop("cls", None)
            try:
                collection.create_index(fields, background=False, **spec)
            except OperationFailure as exc:  # IndexOptionsConflict, IndexKeySpecsConflict…
                name = spec.get("name") or "_".join(f"{k}_{v}" for k, v in fields)
                problems.append((collection.name, name, str(exc)))
                logger.error("INDEX CONFLICT on %s.%s: %s — drop the old index, then run `flask check`.",
                             collection.name, name, exc)
    INDEX_PROBLEMS[:] = problems
    return problems


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
