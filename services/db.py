"""Connection to MongoDB (production) or to the in-process store (tests, demo)."""

from __future__ import annotations

import logging
import operator
from urllib.parse import urlsplit

import mongoengine
from flask import Flask
from pymongo.errors import OperationFailure, WTimeoutError

logger = logging.getLogger("database")

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
        _teach_bulk_write(mongomock)
        _teach_word_ranges(mongomock)
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
    connect(app.config["MONGODB_URI"], app.config["MONGODB_TIMEOUT_MS"], app.config.get("MONGODB_WTIMEOUT_MS", 5000))
    try:
        ensure_indexes()
    except Exception:  # unreachable database: /healthz and the error page say so
        app.logger.exception("Không tạo được chỉ mục (index) cơ sở dữ liệu.")


_RANGE = {"$gte": operator.ge, "$gt": operator.gt, "$lt": operator.lt, "$lte": operator.le}


def _teach_word_ranges(mongomock) -> None:
    """A search for a partial word is ``search_keys: {$elemMatch: {$gte: w, $lt: w'}}`` (see
    ``normalize.search_condition``): on MongoDB one range of the multikey index. mongomock
    4.3 tries each key of every record as a sub-document first, fails with an exception,
    then again as a value: the look-up's slow tail in the in-process store (bench/bench_lookup.py).
    A range of strings over an array of strings is answered here directly, with MongoDB's
    meaning: an element in the range (strings compare by code point, as MongoDB compares
    UTF-8 bytes); any other ``$elemMatch`` goes to mongomock."""
    filterer = mongomock.filtering._filterer_inst
    original = filterer._operator_map["$elemMatch"]
    if getattr(original, "_word_ranges", False):
        return

    def elem_match(doc_val, query):
        if (isinstance(doc_val, list) and isinstance(query, dict) and query and query.keys() <= _RANGE.keys()
                and all(isinstance(v, str) for v in query.values()) and all(isinstance(x, str) for x in doc_val)):
            checks = [(_RANGE[op], bound) for op, bound in query.items()]
            return any(all(cmp(x, bound) for cmp, bound in checks) for x in doc_val)
        return original(doc_val, query)

    elem_match._word_ranges = True
    filterer._operator_map["$elemMatch"] = elem_match
