"""A budget harness: documents the store sends to the application, and round trips.

It counts at the driver, not in the product, what a MongoDB server is asked:

* **wire store** (and any real server): pymongo's command monitoring
  (``pymongo.monitoring.CommandListener``, registered when this module is imported, so
  before any client is made). One round trip per command sent; documents are those of
  ``cursor.firstBatch``/``nextBatch`` (``values`` of a ``distinct``, ``value`` of a
  ``findAndModify``); each ``getMore`` is counted apart (``getmores``).
* **mock store**: mongomock never goes through pymongo's monitoring, so its ``Collection``
  and ``Cursor`` are wrapped to report the same shape: the same command names (``find``,
  ``aggregate``, ``count``, ``insert`` …), one round trip per command (operations mongomock
  makes inside another one are not counted twice), one document per record received, and
  one ``getMore`` when a cursor goes past pymongo's first batch of 101 documents (later
  batches are 16 MB, which no page here reaches).

``count_documents`` is an aggregation on the wire (``$match`` + ``$group`` of ``n: $sum 1``);
it is named ``count`` on both stores. ``commands`` lists (collection, command) of every round
trip; ``projections`` the projection of every ``find`` per collection.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pymongo import monitoring

#: pymongo's first batch of a cursor; the next ones are 16 MB
FIRST_BATCH = 101
#: commands that are the driver's own business, not the application's
_HOUSEKEEPING = {"hello", "ismaster", "isMaster", "ping", "endSessions", "saslStart", "saslContinue",
                 "buildInfo", "buildinfo", "getLastError", "killCursors"}
#: mongomock method -> the command pymongo sends for it
_WIRE_NAMES = {"count_documents": "count", "estimated_document_count": "count", "insert_one": "insert",
               "insert_many": "insert", "update_one": "update", "update_many": "update", "replace_one": "update",
               "delete_one": "delete", "delete_many": "delete", "bulk_write": "bulk_write",
               "create_index": "createIndexes", "create_indexes": "createIndexes", "drop_index": "dropIndexes",
               "drop": "drop", "find_one_and_update": "findAndModify", "find_one_and_replace": "findAndModify",
               "find_one_and_delete": "findAndModify", "aggregate": "aggregate", "distinct": "distinct"}
_ACTIVE: list[Budget] = []


@dataclass
class Budget:
    """Counts of one measured stretch; ``per_collection`` says where the documents came from."""

    docs: int = 0
    trips: int = 0
    getmores: int = 0
    per_collection: Counter = field(default_factory=Counter)
    #: (collection, command) of every round trip, in order
    commands: list = field(default_factory=list)
    projections: defaultdict = field(default_factory=lambda: defaultdict(list))
    _pending: dict = field(default_factory=dict)
    _mock: Any = None

    def reset(self) -> None:
        self.docs, self.trips, self.getmores = 0, 0, 0
        self.per_collection.clear()
        self.commands.clear()
        self.projections.clear()

    def _trip(self, coll: str, docs: int = 0, command: str = "find") -> None:
        self.commands.append((coll, command))
        self.trips += 1
        self._docs(coll, docs)

    def _docs(self, coll: str, docs: int) -> None:
        self.docs += docs
        self.per_collection[coll] += docs

    def __enter__(self) -> Budget:
        _ACTIVE.append(self)
        self._mock = _MockCounting(self).__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._mock.__exit__()
        _ACTIVE.remove(self)

    def measure(self, client: Any, url: str, method: str = "GET", **kwargs: Any) -> tuple[int, int, Any]:
        """(documents, round trips, response) of one request (``getmores`` holds its getMores)."""
        self.reset()
        response = client.open(url, method=method, **kwargs)
        return self.docs, self.trips, response

    # --- the wire: pymongo's command monitoring ---------------------------------------------
    def _started(self, event: monitoring.CommandStartedEvent) -> None:
        name, command = event.command_name, event.command
        if name == "getMore":
            self._pending[event.request_id] = (command.get("collection"), name)
            self.getmores += 1
            return
        coll = command.get(name)
        coll = coll if isinstance(coll, str) else ""
        if name == "aggregate" and _is_count(command.get("pipeline") or []):
            name = "count"
        if name == "find":
            self.projections[coll].append(command.get("projection"))
        self._pending[event.request_id] = (coll, name)
        self.commands.append((coll, name))
        self.trips += 1

    def _succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        coll, name = self._pending.pop(event.request_id, (None, None))
        if coll is None:
            return
        reply = event.reply
        cursor = reply.get("cursor") or {}
        if name == "count":
            return  # the count itself, not a record
        docs = len(cursor.get("firstBatch") or cursor.get("nextBatch") or [])
        if name == "distinct":
            docs = len(reply.get("values") or [])
        elif name == "findAndModify":
            docs = int(reply.get("value") is not None)
        self._docs(coll, docs)


def _is_count(pipeline: list) -> bool:
    """pymongo's ``count_documents`` pipeline: ``[$match, ($skip, $limit,) $group {_id: 1, n: {$sum: 1}}]``."""
    last = pipeline[-1] if pipeline else {}
    return last.get("$group") == {"_id": 1, "n": {"$sum": 1}}


class _Listener(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if _ACTIVE and event.command_name not in _HOUSEKEEPING:
            for budget in _ACTIVE:
                budget._started(event)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        for budget in _ACTIVE:
            budget._succeeded(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        for budget in _ACTIVE:
            budget._pending.pop(event.request_id, None)


monitoring.register(_Listener())


class _MockCounting:
    """The same counts on the in-process store, which pymongo's monitoring never sees."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.depth = 0
        self.saved: dict = {}

    def __enter__(self) -> _MockCounting:
        import mongomock.collection
        import mongomock.command_cursor

        Collection, Cursor = mongomock.collection.Collection, mongomock.collection.Cursor
        budget, me = self.budget, self
        self.saved = {(Cursor, "__next__"): Cursor.__next__, (Cursor, "next"): Cursor.next,
                      (Cursor, "__getitem__"): Cursor.__getitem__,
                      (Collection, "find"): Collection.find,
                      **{(Collection, name): getattr(Collection, name) for name in _WIRE_NAMES}}
        original_next, original_find = Cursor.__next__, Collection.find

        def cursor_next(cursor: Any) -> Any:
            if me.depth:
                return original_next(cursor)
            seen = getattr(cursor, "_budget_seen", None)
            cursor._budget_seen = (seen or 0)
            if seen is None:
                budget._trip(cursor.collection.name)
            doc = original_next(cursor)
            cursor._budget_seen += 1
            if cursor._budget_seen == FIRST_BATCH + 1:
                budget.getmores += 1
            budget._docs(cursor.collection.name, 1)
            return doc

        original_getitem = Cursor.__getitem__

        def cursor_item(cursor: Any, index: Any) -> Any:
            """``cursor[i]`` (MongoEngine's ``first()``): pymongo sends a find of one document."""
            if me.depth or not isinstance(index, int):
                return original_getitem(cursor, index)
            try:
                doc = original_getitem(cursor, index)
            except IndexError:
                budget._trip(cursor.collection.name)
                raise
            budget._trip(cursor.collection.name, 1)
            return doc

        def find(coll: Any, filter: Any = None, projection: Any = None, *args: Any, **kwargs: Any) -> Any:
            if not me.depth:
                budget.projections[coll.name].append(projection)
            return original_find(coll, filter, projection, *args, **kwargs)

        def wrap(name: str) -> Any:
            original = self.saved[(Collection, name)]
            command = _WIRE_NAMES[name]

            def run(coll: Any, *args: Any, **kwargs: Any) -> Any:
                if me.depth:
                    return original(coll, *args, **kwargs)
                me.depth += 1
                try:
                    result = original(coll, *args, **kwargs)
                    if command == "aggregate":
                        result = list(result)
                finally:
                    me.depth -= 1
                if command == "aggregate":
                    budget._trip(coll.name, len(result), command)
                    if len(result) > FIRST_BATCH:
                        budget.getmores += 1
                    return mongomock.command_cursor.CommandCursor(result)
                if command == "distinct":
                    budget._trip(coll.name, len(result), command)
                elif command == "findAndModify":
                    budget._trip(coll.name, int(result is not None), command)
                else:
                    budget._trip(coll.name, 0, command)
                return result
            return run

        Cursor.__next__ = Cursor.next = cursor_next
        Cursor.__getitem__ = cursor_item
        Collection.find = find
        for name in _WIRE_NAMES:
            setattr(Collection, name, wrap(name))
        return self

    def __exit__(self, *exc: Any) -> None:
        for (owner, name), original in self.saved.items():
            setattr(owner, name, original)


def bulk_load(collection: Any, docs: list[dict]) -> int:
    """Insert prepared documents fast. mongomock checks every unique index against every
    stored document on each insert (quadratic); documents built here are unique by
    construction, so on mongomock they go straight into its store. Real MongoDB gets one
    unordered ``insert_many``."""
    if not docs:
        return 0
    if type(collection).__module__.startswith("mongomock") or type(collection).__name__ == "StrictCollection":
        store = collection._store
        for doc in docs:
            store[doc["_id"]] = doc
    else:
        collection.insert_many(docs, ordered=False)
    return len(docs)


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
