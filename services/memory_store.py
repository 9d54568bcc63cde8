"""The throw-away in-process store (``PANEL_STORE=memory``): mongomock, for a demo whose data
is gone when the process stops. This is the only reason mongomock is a runtime dependency;
the panel's real stores are MongoDB (``MONGODB_URI``) and, for ``make run``, a local
SecantusDB (``services/local_server.py``).

Importing this module teaches mongomock the two things the panel needs from it and that it
lacks (done once, here, not at each connection):

* pymongo's ``gridfs`` accepts a mongomock database (attachments, backups);
* ``bulk_write`` accepts pymongo 4.11+'s ``sort`` argument on updates/replaces when unused
  (the panel never sorts inside a bulk write), so the same calls run here as on MongoDB;

and one it does slowly: a partial-word search's ``$elemMatch`` range (see ``_teach_word_ranges``).
"""

from __future__ import annotations

import operator

import mongomock
import mongomock.collection
import mongomock.filtering
import mongomock.gridfs

mongomock.gridfs.enable_gridfs_integration()


def _teach_bulk_write() -> None:
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


_teach_bulk_write()


_RANGE = {"$gte": operator.ge, "$gt": operator.gt, "$lt": operator.lt, "$lte": operator.le}


def _teach_word_ranges() -> None:
    """A search for a partial word is ``search_keys: {$elemMatch: {$gte: w, $lt: w'}}`` (see
    ``models.search.search_condition``): on MongoDB one range of the multikey index. mongomock
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


_teach_word_ranges()

#: the client class of the in-process store (the test suite's strict store subclasses it)
MemoryClient = mongomock.MongoClient
