"""Connection to MongoDB (production, or the local SecantusDB of ``make run``) or to the
throw-away in-process store (``PANEL_STORE=memory``, the quick test run)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import mongoengine
from flask import Flask, current_app, has_app_context
from pymongo.errors import OperationFailure, WTimeoutError

logger = logging.getLogger("database")


def connect(uri: str, timeout_ms: int = 5000, wtimeout_ms: int = 5000, client_class: type | None = None) -> None:
    """(Re)connect the default alias. ``mongomock://localhost/<db>`` selects the throw-away
    in-process store (``services/memory_store.py``; ``client_class`` replaces its client, as the
    test suite's strict store does); anything else goes to pymongo with majority writes that
    give up after ``wtimeout_ms`` (the officer sees the 503 page instead of a hung worker)."""
    mongoengine.disconnect_all()
    if uri.startswith("mongomock://"):
        from services import memory_store

        db = urlsplit(uri).path.strip("/") or "dang"
        mongoengine.connect(db=db, host="mongodb://localhost", mongo_client_class=client_class or memory_store.MemoryClient,
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


def index_problems() -> list[tuple[str, str, str]]:
    """Index conflicts found at this app's start-up (``app.extensions["index_problems"]``):
    (collection, index, message); shown on ``/healthz`` to administrators and by ``flask check``."""
    return list(current_app.extensions.get("index_problems", [])) if has_app_context() else []


def documents() -> list[type]:
    import models

    return [m for m in (getattr(models, n) for n in models.__all__)
            if isinstance(m, type) and issubclass(m, mongoengine.Document)]


def ensure_indexes() -> list[tuple[str, str, str]]:
    """Create every declared index, one by one. An index that exists with other options
    (changed since the last deployment) is a conflict: it is logged loudly and kept in
    the returned list, and creation goes on with the next index and model (an
    administrator drops the old index, then runs ``flask check``). An unreachable
    database still raises."""
    problems: list[tuple[str, str, str]] = []
    for model in documents():
        # created here, at start-up, never on a model's first query (mongoengine's default),
        # where a conflict would fail every request that touches the collection
        model._meta["auto_create_index"] = False
        collection = model._get_collection()
        opts_default = model._meta.get("index_opts") or {}
        specs = model._meta.get("index_specs") or []
        # one listIndexes per collection: an index already there as declared is not sent again
        # (a restart, or each test on the wire store, costs a round trip per collection, not per index)
        existing = collection.index_information() if specs else {}
        for spec in specs:
            spec = {**opts_default, **spec}
            fields = spec.pop("fields")
            spec.pop("cls", None)
            if _already_there(existing, fields, spec):
                continue
            try:
                collection.create_index(fields, background=False, **spec)
            except OperationFailure as exc:  # IndexOptionsConflict, IndexKeySpecsConflict…
                name = spec.get("name") or "_".join(f"{k}_{v}" for k, v in fields)
                problems.append((collection.name, name, str(exc)))
                logger.error("INDEX CONFLICT on %s.%s: %s — drop the old index, then run `flask check`.",
                             collection.name, name, exc)
    if has_app_context():
        current_app.extensions["index_problems"] = problems
    return problems


#: index options that make two specifications of the same keys different indexes
_INDEX_OPTIONS = ("unique", "sparse", "partialFilterExpression", "expireAfterSeconds")


def _already_there(existing: dict, fields: list, spec: dict) -> bool:
    """Whether ``existing`` (``index_information()``) holds this index with these keys and
    options; anything else is sent to the server, which builds it or reports the conflict."""
    from pymongo.helpers_shared import _gen_index_name

    have = existing.get(spec.get("name") or _gen_index_name(fields))
    if have is None or _keys(have["key"]) != _keys(fields):
        return False
    return all(bool(have.get(o)) == bool(spec.get(o)) if o in ("unique", "sparse") else have.get(o) == spec.get(o)
               for o in _INDEX_OPTIONS)


def _keys(fields: list) -> list:
    return [(k, int(v) if isinstance(v, float) else v) for k, v in fields]


def ping() -> bool:
    try:
        mongoengine.get_db().command("ping")
        return True
    except Exception:
        return False


def init_app(app: Flask) -> None:
    connect(app.config["MONGODB_URI"], app.config["MONGODB_TIMEOUT_MS"], app.config.get("MONGODB_WTIMEOUT_MS", 5000),
            app.config.get("MONGO_CLIENT_CLASS"))
    app.extensions["index_problems"] = []
    try:
        app.extensions["index_problems"] = ensure_indexes()
    except Exception:  # unreachable database: /healthz and the error page say so
        app.logger.exception("Không tạo được chỉ mục (index) cơ sở dữ liệu.")
