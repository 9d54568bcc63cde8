"""Ensure that the suite's store (tests/strict_store.py) is as strict as MongoDB where
mongomock is kinder, and that the suite really runs on it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import mongoengine
import pymongo.collection
import pytest
from bson import Regex
from pymongo.errors import DuplicateKeyError, OperationFailure

from tests import stores
from tests.strict_store import StrictCollection, StrictMongoClient


@pytest.fixture
def coll():
    return StrictMongoClient()["strict"]["things"]


def test_the_suite_runs_on_the_chosen_store(app):
    members = mongoengine.get_db()["members"]
    if stores.is_wire():  # pymongo over the wire to the session's SecantusDB
        assert isinstance(members, pymongo.collection.Collection)
        assert members.database.client.address[1] == urlsplit(stores.current().base).port
    else:
        assert isinstance(members, StrictCollection)


def test_a_compiled_regex_on_an_indexed_field_is_refused(coll):
    coll.create_index("f")
    coll.insert_many([{"f": "xa", "g": "xa"}, {"f": "yb", "g": "yb"}])
    for spec in ({"f": re.compile("^x")}, {"f": {"$in": [re.compile("^x")]}}, {"$or": [{"f": {"$not": re.compile("y")}}]},
                 {"f": Regex("^x")}):
        with pytest.raises(OperationFailure, match="compiled regex on the indexed field things.f"):
            list(coll.find(spec))
    with pytest.raises(OperationFailure, match="compiled regex"):
        list(coll.aggregate([{"$match": {"f": re.compile("x")}}]))
    assert [d["f"] for d in coll.find({"f": {"$regex": "^x"}})] == ["xa"]  # the form every store answers
    assert coll.count_documents({"g": re.compile("^x")}) == 1  # not indexed: allowed


def test_the_store_and_a_compiled_regex_on_an_indexed_field(app, world):
    """What rule 7 stands for: SecantusDB matches nothing (MongoDB would scan and match), the
    strict store refuses; ``{"$regex": …}`` matches on both. If a SecantusDB release fixes it,
    this fails on the wire store: then rule 7 can go."""
    from models import Member

    members = Member._get_collection()
    assert "sort_key" in {k for i in members.index_information().values() for k, _ in i["key"]}
    assert members.count_documents({"full_name": {"$regex": "^Nguyễn"}}) == 1
    if stores.is_wire():
        assert members.count_documents({"sort_key": re.compile(".")}) == 0  # the server defect
        assert members.count_documents({"sort_key": {"$regex": "."}}) == Member.objects.count()
    else:
        with pytest.raises(OperationFailure, match="compiled regex"):
            members.count_documents({"sort_key": re.compile(".")})


def test_ties_and_unsorted_results_are_shuffled(coll):
    coll.insert_many([{"n": i, "tie": 1} for i in range(30)])
    unsorted = {tuple(d["n"] for d in coll.find()) for _ in range(5)}
    tied = {tuple(d["n"] for d in coll.find().sort("tie", 1)) for _ in range(5)}
    assert len(unsorted) > 1 and len(tied) > 1
    assert [d["n"] for d in coll.find().sort([("tie", 1), ("n", -1)])] == list(range(29, -1, -1))


def test_all_of_nothing_matches_nothing(coll):
    coll.insert_many([{"tags": ["a"]}, {"tags": []}, {}])
    assert coll.count_documents({"tags": {"$all": []}}) == 0
    assert list(coll.aggregate([{"$match": {"tags": {"$all": []}}}])) == []
    assert coll.count_documents({"tags": {"$all": ["a"]}}) == 1


def test_sparse_unique_counts_explicit_nulls(coll):
    coll.create_index("card", unique=True, sparse=True)
    coll.insert_many([{}, {}])  # missing: not in the index
    coll.insert_one({"card": None})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"card": None})
    with pytest.raises(DuplicateKeyError):
        coll.update_one({"card": {"$exists": False}}, {"$set": {"card": None}})


def test_unique_index_over_duplicates_is_refused(coll):
    coll.insert_many([{"code": "A"}, {"code": "A"}])
    with pytest.raises(DuplicateKeyError):
        coll.create_index("code", unique=True)
    coll.insert_many([{"card": None}, {"card": None}])
    with pytest.raises(DuplicateKeyError):
        coll.create_index("card", unique=True, sparse=True)


def test_index_conflicts_raise(coll):
    coll.create_index("code", unique=True)
    coll.create_index("code", unique=True)  # the same again: fine
    with pytest.raises(OperationFailure) as options:
        coll.create_index("code")
    assert options.value.code == 85
    with pytest.raises(OperationFailure) as name:
        coll.create_index("code", unique=True, name="other_name")
    assert name.value.code == 85
    with pytest.raises(OperationFailure) as keys:
        coll.create_index("other", name="code_1")
    assert keys.value.code == 86


def test_negative_skip_raises_like_pymongo(coll):
    coll.insert_many([{"n": i} for i in range(3)])
    with pytest.raises(ValueError):
        list(coll.find().skip(-1))
    with pytest.raises(ValueError):
        coll.find({}, skip=-2)
