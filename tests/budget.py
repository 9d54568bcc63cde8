"""A budget harness: documents the store sends to the application, and round trips.

It wraps the driver (mongomock's ``Collection`` and ``Cursor``), not the product, so
that what it counts is what real MongoDB would also pay: one round trip per command
(a query whose cursor is read, an aggregation, a count, a write) and one document per
record received. Operations made inside another one (mongomock implements
``count_documents`` with its own scan) are not counted twice. A getMore per batch is
not counted: at the default batch size (101 documents, then 16 MB) it only matters for
exports, which the benchmark measures separately.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import mongomock.collection
import mongomock.command_cursor

_Collection = mongomock.collection.Collection
_Cursor = mongomock.collection.Cursor
#: commands whose reply is not a stream of records (counted as round trips only)
_COMMANDS = ("count_documents", "estimated_document_count", "insert_one", "insert_many", "update_one",
             "update_many", "replace_one", "delete_one", "delete_many", "bulk_write", "create_index",
             "drop_index", "drop")
_RETURNING_ONE = ("find_one_and_update", "find_one_and_replace", "find_one_and_delete")


@dataclass
class Budget:
    """Counts of one measured stretch; ``per_collection`` says where the documents came from."""

    docs: int = 0
    trips: int = 0
    per_collection: Counter = field(default_factory=Counter)
    #: (collection, command) of every round trip, in order
    commands: list = field(default_factory=list)
    _depth: int = 0
    _saved: dict = field(default_factory=dict)

    def reset(self) -> None:
        self.docs, self.trips = 0, 0
        self.per_collection.clear()
        self.commands.clear()

    def _trip(self, coll: str, docs: int = 0, command: str = "find") -> None:
        self.commands.append((coll, command))
        self.trips += 1
        self.docs += docs
        self.per_collection[coll] += docs

    # --- patching -----------------------------------------------------------------------------
    def __enter__(self) -> Budget:
        budget = self
        self._saved = {(_Cursor, "__next__"): _Cursor.__next__,
                       **{(_Collection, name): getattr(_Collection, name)
                          for name in (*_COMMANDS, *_RETURNING_ONE, "aggregate", "distinct")}}

        def cursor_next(cursor: Any) -> Any:
            if budget._depth:
                return budget._saved[(_Cursor, "__next__")](cursor)
            first = not getattr(cursor, "_budget_seen", False)
            cursor._budget_seen = True
            try:
                doc = budget._saved[(_Cursor, "__next__")](cursor)
            except StopIteration:
                if first:
                    budget._trip(cursor.collection.name)
                raise
            if first:
                budget._trip(cursor.collection.name)
            budget.docs += 1
            budget.per_collection[cursor.collection.name] += 1
            return doc

        def wrap(name: str, kind: str) -> Any:
            original = budget._saved[(_Collection, name)]

            def run(coll: Any, *args: Any, **kwargs: Any) -> Any:
                if budget._depth:
                    return original(coll, *args, **kwargs)
                budget._depth += 1
                try:
                    result = original(coll, *args, **kwargs)
                    if kind == "aggregate":
                        result = list(result)
                finally:
                    budget._depth -= 1
                if kind == "aggregate":
                    budget._trip(coll.name, len(result), name)
                    return mongomock.command_cursor.CommandCursor(result)
                if kind == "distinct":
                    budget._trip(coll.name, len(result), name)
                elif kind == "one":
                    budget._trip(coll.name, int(result is not None), name)
                else:
                    budget._trip(coll.name, 0, name)
                return result
            return run

        _Cursor.__next__ = cursor_next
        _Cursor.next = cursor_next
        for name in _COMMANDS:
            setattr(_Collection, name, wrap(name, "command"))
        for name in _RETURNING_ONE:
            setattr(_Collection, name, wrap(name, "one"))
        _Collection.aggregate = wrap("aggregate", "aggregate")
        _Collection.distinct = wrap("distinct", "distinct")
        return self

    def __exit__(self, *exc: Any) -> None:
        for (owner, name), original in self._saved.items():
            setattr(owner, name, original)
        _Cursor.next = _Cursor.__next__

    def measure(self, client: Any, url: str, method: str = "GET", **kwargs: Any) -> tuple[int, int, Any]:
        """(documents, round trips, response) of one request."""
        self.reset()
        response = client.open(url, method=method, **kwargs)
        return self.docs, self.trips, response


def bulk_load(collection: Any, docs: list[dict]) -> None:
    """Insert prepared documents fast. mongomock checks every unique index against every
    stored document on each insert (quadratic); documents built here are unique by
    construction, so on mongomock they go straight into its store. Real MongoDB gets one
    unordered ``insert_many``."""
    if not docs:
        return
    if type(collection).__module__.startswith("mongomock"):
        store = collection._store
        for doc in docs:
            store[doc["_id"]] = doc
    else:
        collection.insert_many(docs, ordered=False)


def replicate(factor: int) -> dict[str, int]:
    """Grow the register to ``factor`` times its people, sites and accounts (same units):
    each copy of a person gets a fresh id, card number and phone, and copies of their
    records with distinct addresses, so look-ups still name one person."""
    from bson import ObjectId
    from mongoengine import get_db

    db = get_db()
    members = list(db.members.find())
    owned = {name: list(db[name].find()) for name in ("social_accounts", "sites")}
    out: dict[str, list[dict]] = {"members": [], "social_accounts": [], "sites": []}
    for k in range(1, factor):
        new_ids = {}
        for m in members:
            copy = {**m, "_id": ObjectId()}
            new_ids[m["_id"]] = copy["_id"]
            if copy.get("party_card_number"):
                copy["party_card_number"] = f"{k:02d}{copy['party_card_number']}"
            if copy.get("phone"):
                copy["phone"] = _phone(copy["phone"], k)
            copy["search_keys"] = _moved_keys(copy.get("search_keys", []), set(), k)
            out["members"].append(copy)
        for name, docs in owned.items():
            for d in docs:
                copy = {**d, "_id": ObjectId(), "member": new_ids[d["member"]]}
                words = {w for key in ("url_key", "domain_key") for w in (copy.get(key) or "").split("/")}
                for key in ("url", "url_key", "domain", "domain_key"):
                    if copy.get(key):
                        copy[key] = f"{copy[key]}/x{k}"
                copy["search_keys"] = _moved_keys(copy.get("search_keys", []), words, k)
                if copy.get("registration_phone"):
                    copy["registration_phone"] = _phone(copy["registration_phone"], k)
                out[name].append(copy)
    for name, docs in out.items():
        bulk_load(db[name], docs)
    return {name: db[name].count_documents({}) for name in out}


def _moved_keys(keys: list[str], words: set[str], k: int) -> list[str]:
    """The copy's search keys: its phones and address words are its own, not the original's."""
    return [_phone(key, k) if key.isdigit() and len(key) >= 9 else f"x{k}{key}" if key in words else key
            for key in keys]


def _phone(phone: str, k: int) -> str:
    return phone[:2] + f"{(int(phone[2]) + k) % 10}" + phone[3:] if len(phone) > 3 and phone[2].isdigit() else phone
