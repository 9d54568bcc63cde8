"""A test store as strict as MongoDB where mongomock is kinder.

The whole suite runs on it (``tests/conftest.py`` installs it as ``services.db.MOCK_CLIENT``).
Each rule below is a place where mongomock 4.x differs from MongoDB (>= 6) and where the
difference could hide a production bug:

1. **Ties are shuffled.** MongoDB guarantees no order for unsorted results nor among
   documents that tie on the sort key; mongomock returns insertion order. Here every scan
   starts from a shuffled copy (Python's sort is stable, so ties stay shuffled after a
   sort). A screen or export that needs a stable order must sort on a unique key last.
2. **``{"$all": []}`` matches nothing** (mongomock: everything), in ``find`` and in
   ``$match``.
3. **Sparse unique indexes count explicit nulls**: MongoDB indexes a document whose field
   is ``null`` (only a *missing* field is left out), so two explicit nulls collide.
4. **A unique index is refused over duplicates** already in the collection (code 11000),
   with the sparse and partial rules of 3.
5. **Index conflicts raise** like MongoDB: the same keys under another name or with other
   options (``IndexOptionsConflict``, code 85), the same name over other keys
   (``IndexKeySpecsConflict``, code 86).
6. **A negative skip raises** ``ValueError`` as in pymongo (mongomock counts from the end).
7. **A compiled regex on an indexed field raises** (``OperationFailure``): what MongoEngine's
   string look-ups (``__startswith``, ``__icontains``, ``__iexact`` …) send. MongoDB answers it
   (unanchored, without the index), but SecantusDB 0.7.0b3, the suite's wire store and the
   local server of ``make run``, matches *nothing* when the field is indexed (its
   ``{"$regex": …}`` form works). The panel searches precomputed keys by equality/range; a
   test that needs a pattern sends ``{"$regex": …}`` (``__raw__``).

The shuffle is seeded: ``STRICT_STORE_SEED=<n>`` replays a run (the seed is printed in
pytest's header).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import re
from collections.abc import Iterable, Iterator
from typing import Any

import mongomock
from bson import ObjectId, Regex
from mongomock import helpers
from mongomock.collection import Collection, Cursor
from mongomock.database import Database
from mongomock.filtering import filter_applies
from pymongo.errors import DuplicateKeyError, OperationFailure

SEED = int(os.environ.get("STRICT_STORE_SEED") or random.SystemRandom().randrange(10**6))
_rng = random.Random(SEED)
_MISSING = object()
#: index options that make two specifications of the same keys different indexes
_OPTIONS = ("unique", "sparse", "partialFilterExpression", "expireAfterSeconds")


def strict_filter(spec: Any) -> Any:
    """The filter with every ``$all: []`` turned into ``$in: []`` (which matches nothing)."""
    if isinstance(spec, dict):
        out = {}
        for key, value in spec.items():
            if key == "$all" and isinstance(value, list | tuple) and not value:
                out["$in"] = []
            else:
                out[key] = strict_filter(value)
        return out
    if isinstance(spec, list | tuple):
        return [strict_filter(v) for v in spec]
    return spec


def _compiled_regex_fields(spec: Any, prefix: str = "") -> Iterator[str]:
    """Fields of a filter that are given a compiled regex (a ``re.Pattern`` or BSON ``Regex``
    value, also inside ``$in``/``$nin``/``$not``/``$all``), ``$and``/``$or``/``$nor`` included."""
    if isinstance(spec, list | tuple):
        for item in spec:
            yield from _compiled_regex_fields(item, prefix)
        return
    if not isinstance(spec, dict):
        return
    for key, value in spec.items():
        if key in ("$and", "$or", "$nor"):
            yield from _compiled_regex_fields(value)
            continue
        field = prefix if key.startswith("$") else key
        values = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(v, re.Pattern | Regex) for v in values):
            yield field
        elif isinstance(value, dict):
            yield from _compiled_regex_fields(value, field)


def _check_regex(collection: Collection, spec: Any) -> None:
    indexed = {key for index in collection._store.indexes.values() for key, _ in index["key"]}
    for field in _compiled_regex_fields(spec):
        if field in indexed:
            raise OperationFailure(
                f"compiled regex on the indexed field {collection.name}.{field}: SecantusDB matches nothing "
                "(MongoDB scans without the index); search precomputed keys, or send {'$regex': …}", 2)


def _index_values(doc: dict, keys: Iterable[tuple[str, Any]]) -> tuple[Any, ...]:
    values = []
    for key, _ in keys:
        try:
            values.append(helpers.get_value_by_dot(doc, key))
        except KeyError:
            values.append(_MISSING)
    return tuple(values)


def _indexed_key(doc: dict, index: dict) -> tuple[Any, ...] | None:
    """The key this document has in ``index``, or None when it is not in the index."""
    partial = index.get("partialFilterExpression")
    if partial is not None and not filter_applies(partial, doc):
        return None
    values = _index_values(doc, index["key"])
    if index.get("sparse") and all(v is _MISSING for v in values):
        return None  # sparse: only a *missing* field leaves the document out, not null
    return tuple(None if v is _MISSING else v for v in values)


def _duplicate(docs: Iterable[dict], index: dict) -> bool:
    seen: list[Any] = []
    for doc in docs:
        key = _indexed_key(doc, index)
        if key is None:
            continue
        if key in seen:
            return True
        seen.append(key)
    return False


class StrictCursor(Cursor):
    """Copies only the page asked for (``skip``/``limit``) instead of every match: the
    results are the same, a list page over 200,000 entries takes seconds, not minutes."""

    def skip(self, count: int) -> Cursor:
        _check_skip(count)
        return super().skip(count)

    def _compute_results(self, with_limit_and_skip: bool = False) -> list:
        if not (with_limit_and_skip and self._limit) or self.collection.codec_options.tz_aware:
            return super()._compute_results(with_limit_and_skip)
        key = (self._factory, self._skip, self._limit)
        if getattr(self, "_window_key", None) != key:
            self._window = list(itertools.islice(self._factory(), self._skip, self._skip + abs(self._limit)))
            self._window_key = key
        return self._window


def _check_skip(count: Any) -> None:
    """pymongo refuses a negative skip (mongomock would count from the end)."""
    if not isinstance(count, int) or isinstance(count, bool):
        raise TypeError(f"skip must be an integer, not {type(count)}")
    if count < 0:
        raise ValueError("skip must be >= 0")


def _fast_sort(docs: list[dict], key: str, direction: int) -> bool:
    """Sort in place on a top-level field holding one plain type everywhere (the common
    case: dates, names, ids), with Python's stable sort; False if mongomock must do it."""
    if "." in key or key.startswith("$"):
        return False
    kinds = {type(d.get(key, _MISSING)) for d in docs}
    if len(kinds) != 1 or not kinds <= {dt.datetime, str, ObjectId, int, float}:
        return False
    docs.sort(key=lambda d: d[key], reverse=direction < 0)
    return True


class StrictCollection(Collection):
    def _iter_documents(self, filter: Any) -> Any:  # noqa: A002 - mongomock's name
        _check_regex(self, filter)
        docs = list(super()._iter_documents(strict_filter(filter)))
        _rng.shuffle(docs)
        return iter(docs)

    def load(self, docs: Iterable[dict]) -> int:
        """Test data in bulk, straight into the store (no per-document checks): only for a
        collection without unique indexes besides ``_id``, and documents that carry their ``_id``."""
        if any(i.get("unique") for name, i in self._store.indexes.items() if name != "_id_"):
            raise ValueError("load() is for collections without unique indexes")
        count = 0
        for doc in docs:
            if doc["_id"] in self._store:
                raise DuplicateKeyError(f"E11000 duplicate key error: _id {doc['_id']}", 11000)
            self._store[doc["_id"]] = doc
            count += 1
        return count

    def find(self, *args: Any, **kwargs: Any) -> Cursor:
        _check_skip(kwargs.get("skip", args[2] if len(args) > 2 else 0))
        cursor = super().find(*args, **kwargs)
        cursor.__class__ = StrictCursor
        return cursor

    def _get_dataset(self, spec: Any, sort: Any, fields: Any, as_class: Any) -> Iterator[dict]:
        items = list(sort.items() if isinstance(sort, dict) else sort or [])
        docs = list(self._iter_documents(spec))
        for key, direction in reversed(items):
            if not _fast_sort(docs, key, direction):
                yield from super()._get_dataset(spec, sort, fields, as_class)  # mongomock's own rules
                return
        for doc in docs:
            yield self._copy_only_fields(doc, fields, as_class)

    def aggregate(self, pipeline: list, session: Any = None, **kwargs: Any) -> Any:
        pipeline = [{"$match": strict_filter(stage["$match"])} if "$match" in stage else stage for stage in pipeline]
        for stage in pipeline:
            if "$match" in stage:
                _check_regex(self, stage["$match"])
        return super().aggregate(pipeline, session=session, **kwargs)

    def _ensure_uniques(self, new_data: dict) -> None:
        for index in self._store.indexes.values():
            if not index.get("unique"):
                continue
            key = _indexed_key(new_data, index)
            if key is None:
                continue
            same = sum(1 for doc in list(self._store.documents) if _indexed_key(doc, index) == key)
            if same > 1:
                raise DuplicateKeyError(f"E11000 duplicate key error: {index['key']} = {key}", 11000)

    def create_index(self, key_or_list: Any, cache_for: int = 300, session: Any = None, **kwargs: Any) -> str:
        keys = helpers.create_index_list(key_or_list)
        name = kwargs.get("name") or helpers.gen_index_name(keys)
        wanted = {"key": keys, **{k: kwargs[k] for k in _OPTIONS if kwargs.get(k) not in (None, False)}}
        for existing_name, existing in self._store.indexes.items():
            have = {"key": list(existing["key"]), **{k: existing[k] for k in _OPTIONS if existing.get(k)}}
            if existing_name == name and have["key"] != keys:
                raise OperationFailure(f"Index with name: {name} already exists with a different key", 86)
            if have["key"] == keys and (existing_name != name or have != wanted):
                raise OperationFailure(
                    f"Index already exists with different name or options: {existing_name} vs {name}", 85)
        if wanted.get("unique") and _duplicate(list(self._store.documents), wanted):
            raise DuplicateKeyError(f"E11000 duplicate key error building unique index {name}", 11000)
        return super().create_index(key_or_list, cache_for=cache_for, session=session, **kwargs)


class StrictDatabase(Database):
    def get_collection(self, name: str, codec_options: Any = None, read_preference: Any = None,
                       write_concern: Any = None, read_concern: Any = None) -> Collection:
        if name not in self._collection_accesses:
            self._ensure_valid_collection_name(name)
            self._collection_accesses[name] = StrictCollection(
                self, name=name, read_concern=read_concern, write_concern=write_concern,
                read_preference=read_preference or self.read_preference,
                codec_options=codec_options or self._codec_options, _db_store=self._store)
        return super().get_collection(name, codec_options, read_preference, write_concern, read_concern)


class StrictMongoClient(mongomock.MongoClient):
    def get_database(self, name: str | None = None, codec_options: Any = None, read_preference: Any = None,
                     write_concern: Any = None, read_concern: Any = None) -> Database:
        if name is None:
            return super().get_database(name, codec_options, read_preference, write_concern, read_concern)
        if name not in self._database_accesses:
            self._database_accesses[name] = StrictDatabase(
                self, name, read_preference=read_preference or self.read_preference,
                codec_options=codec_options or self._codec_options, _store=self._store[name],
                read_concern=read_concern)
        return super().get_database(name, codec_options, read_preference, write_concern, read_concern)
