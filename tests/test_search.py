"""Search on bounded precomputed keys: lists and ajax pickers find short, partial and
accent-free input, a phone prefix and any part of an organisation's path."""

from __future__ import annotations

import json

import pytest

from models import Member, Organisation, search
from tests import factories


def _find(model, text):
    return model.objects(search.search_condition(search.query_tokens(text)))


def test_keys_are_bounded(world):
    """Ensure that a record holds its words and their prefixes up to PREFIX_LEN, no longer."""
    words = {"nguyen", "van", "an", "tuyen", "truyen"}
    short = {w[:i] for w in words for i in range(1, search.PREFIX_LEN + 1)}
    assert search.search_tokens("Nguyễn Văn An", "Tuyên truyền") == sorted(words | short)
    assert max(len(world.account_a.search_keys), len(world.member_a.search_keys)) < 30


@pytest.mark.parametrize("text,found", [
    ("v", ["Nguyễn Văn An", "Trần Thị Bình", "Vũ Đức Dũng"]), ("vu d", ["Vũ Đức Dũng"]), ("ngu", ["Nguyễn Văn An"]),
    ("nguyen van a", ["Nguyễn Văn An"]), ("NGUYỄN", ["Nguyễn Văn An"]), ("0912", ["Nguyễn Văn An"]),
    ("0912345678", ["Nguyễn Văn An"]), ("vux", []), ("thon 1", ["Nguyễn Văn An", "Vũ Đức Dũng"]),
])
def test_partial_words_match_as_ranges(world, text, found):
    """Ensure that a partial word longer than the stored prefixes still finds its words
    (a range of whole words), and that every typed word must match."""
    factories.member(world.cell_a, "Vũ Đức Dũng", phone="0387000111")
    assert sorted(m.full_name for m in _find(Member, text)) == found


def test_condition_is_an_index_range_never_a_regex():
    """Ensure that the query sent is an equality or an ``$elemMatch`` range (no regex)."""
    cond = Member.objects(search.search_condition(["v", "ngu"]))._query
    assert sorted(cond["$and"], key=str) == [{"search_keys": "v"},
                                             {"search_keys": {"$elemMatch": {"$gte": "ngu", "$lt": "ngv"}}}]
    assert "$regex" not in json.dumps(cond)


def _picker(client, url, query):
    path, _, name = url.partition("?name=")
    r = client.get(path, query_string={"name": name, "query": query})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return [label for _pk, label in r.get_json()]


@pytest.mark.parametrize("query,expected", [("v", "Vũ Đức Dũng"), ("vu d", "Vũ Đức Dũng"), ("0387", "Vũ Đức Dũng"),
                                            ("thon 1", "Nguyễn Văn An")])
def test_member_picker_finds_short_and_partial_input(admin_client, world, query, expected):
    """Ensure that the account form's person picker finds "v", "vu d", a phone prefix and the cell."""
    factories.member(world.cell_a, "Vũ Đức Dũng", phone="0387000111")
    labels = _picker(admin_client, "/admin/socialaccount/ajax/lookup/?name=member", query)
    assert any(expected in label for label in labels), labels


@pytest.mark.parametrize("query", ["an hoa", "huyen vinh", "thon 1", "binh minh thon", "XA"])
def test_organisation_picker_finds_any_part_of_the_path(admin_client, world, query):
    """Ensure that the organisation picker finds a unit by any part of its path."""
    labels = _picker(admin_client, "/admin/member/ajax/lookup/?name=organisation", query)
    assert labels, query
    matched = Organisation.objects(search.search_condition(search.query_tokens(query)))
    assert len(labels) == matched.count()


def test_picker_stays_in_scope(officer_client, world):
    """Ensure that an officer's picker never offers a sibling commune's units or people."""
    labels = _picker(officer_client, "/admin/member/ajax/lookup/?name=organisation", "thon")
    assert labels and not any("Đông" in label for label in labels)
    assert _picker(officer_client, "/admin/socialaccount/ajax/lookup/?name=member", "tran") == []


def test_unit_picker_needs_login(client, world):
    """Ensure that the organisation filter's picker answers nobody who is not logged in."""
    r = client.get("/admin/don-vi/?query=thon")
    assert r.status_code in (302, 401, 403) and b"Chi b" not in r.data
