"""The in-process store (tests, demo) adapts to the product, not the reverse: mongomock
4.3 cannot take pymongo 4.20's request objects in ``bulk_write``; this runs them one by
one with the same semantics (upserts, matched/upserted counts), so the import keeps one
code path for real MongoDB. Installed by :func:`services.db.connect` for mongomock only."""

from __future__ import annotations

from dataclasses import dataclass

import mongomock
from pymongo import DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne


@dataclass
class _Result:
    inserted_count: int = 0
    matched_count: int = 0
    modified_count: int = 0
    deleted_count: int = 0
    upserted_count: int = 0
    acknowledged: bool = True


def _bulk_write(self, requests, ordered=True, bypass_document_validation=False, session=None, **_kw):
    out = _Result()
    for op in requests:
        if isinstance(op, InsertOne):
            self.insert_one(op._doc)
            out.inserted_count += 1
            continue
        if isinstance(op, DeleteOne):
            out.deleted_count += self.delete_one(op._filter).deleted_count
            continue
        run = {UpdateOne: self.update_one, UpdateMany: self.update_many, ReplaceOne: self.replace_one}[type(op)]
        result = run(op._filter, op._doc, upsert=bool(op._upsert))
        out.matched_count += result.matched_count
        out.modified_count += result.modified_count
        out.upserted_count += result.upserted_id is not None
    return out


def install() -> None:
    mongomock.Collection.bulk_write = _bulk_write
