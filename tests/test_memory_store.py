"""Ensure that the in-process store's fast word ranges answer exactly what mongomock (and
MongoDB) answer, and that the store uses them."""

from __future__ import annotations

import random

import mongomock.filtering
import pytest

from services import memory_store


@pytest.fixture(scope="module")
def taught():
    memory_store._teach_word_ranges()
    return mongomock.filtering._filterer_inst._operator_map["$elemMatch"]


def _values(rnd: random.Random) -> list:
    words = ["nguyen", "nguyet", "ngu", "n", "van", "an", "anh", "ăn", "đông", "dong", "z", "", "x1nguyen", "日本"]
    others = [1, 2.5, None, {"a": "nguyen"}, ["nguyen"], True]
    pool = words if rnd.random() < 0.7 else [*words, *others]  # mostly search keys; sometimes anything
    return [rnd.choice(pool) for _ in range(rnd.randint(0, 6))]


def test_word_ranges_answer_as_mongomock_does(taught):
    """Ensure that for random arrays (strings, numbers, None, sub-documents, nested arrays) and
    random ranges, the fast answer equals mongomock's own."""
    plain = mongomock.filtering._Filterer()._elem_match_op  # a fresh filterer: mongomock's own method
    rnd = random.Random(27)
    bounds = ["ngu", "ngv", "an", "ao", "d", "đ", "", "zz", "nguyen"]
    for _ in range(3000):
        ops = rnd.sample(["$gte", "$gt", "$lt", "$lte"], rnd.randint(1, 2))
        query = {op: rnd.choice(bounds) for op in ops}
        values = _values(rnd)
        assert taught(values, query) == plain(values, query), (values, query)


def test_other_element_matches_go_to_mongomock(taught):
    """Ensure that a sub-document match, a non-string bound and a non-array field keep
    mongomock's answer."""
    docs = [{"role": "bi_thu", "end": None}, {"role": "pho_bi_thu"}]
    assert taught(docs, {"role": "bi_thu", "end": None}) is True
    assert taught([1, 5, 9], {"$gte": 4, "$lt": 6}) is True
    assert taught("nguyen", {"$gte": "ngu", "$lt": "ngv"}) is False


def test_the_store_answers_a_partial_word_search_with_them(app):
    """Ensure that connecting the in-process store installs the fast ranges, and a search for
    a partial name still finds the person (and only them)."""
    from models import Member
    from models.search import search_condition
    from tests import factories

    with app.app_context():
        assert getattr(mongomock.filtering._filterer_inst._operator_map["$elemMatch"], "_word_ranges", False)
        world = factories.world()
        found = list(Member.objects(search_condition(["nguye"])).only("full_name"))
        assert [m.full_name for m in found] == [world.member_a.full_name]
