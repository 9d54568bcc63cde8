"""The import validates records on plain values (imports.records) for speed; it must
accept, store and refuse exactly as the model does (Document.validate() + to_mongo()),
message for message, on generated rows, new and stored, for both forms."""

from __future__ import annotations

import datetime as dt

import pytest
from bson import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mongoengine import ValidationError

from imports.layouts import FORMS
from imports.plan import OWNER_FIELDS, _numbers, messages
from imports.records import Records
from models import Member, Site, SocialAccount, search

TIMES = {"created_at", "modified_at"}  # set from the clock on each path

texts = st.one_of(st.none(), st.just(""), st.text(max_size=8),
                  st.sampled_from(["Tuyên truyền", "Cá nhân", "Quản trị viên", "x" * 301, "  Hoà  "]))
dates = st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1))
                  .map(lambda d: d.replace(microsecond=0)))
urls = st.one_of(st.none(), st.sampled_from([
    "https://facebook.com/nguoi.1", "https://www.facebook.com/groups/123", "https://zalo.me/0912345678",
    "https://tiktok.com/@an", "https://facebook.com", "https://example.com/x", "https://youtube.com/@kenh",
    "https://facebook.com/" + "a" * 1000]))
social_values = st.fixed_dictionaries({
    "platform": st.one_of(st.none(), st.sampled_from(["Facebook", "Zalo", "TikTok", "YouTube", "Khác"])),
    "account_name": texts, "url": urls,
    "link_type": st.sampled_from(["personal", "page", "group"]),
    "admin_role": st.one_of(st.none(), st.sampled_from(["Quản trị viên", "Thành viên"])),
    "registration_phone": st.one_of(st.none(), st.sampled_from(["0912345678", "12", "+84 912 345 678"])),
    "registration_email": st.one_of(st.none(), st.sampled_from(["a@example.com", "sai@", "B@Example.COM"])),
    "established_on": dates, "updated_on": dates, "purpose": texts, "position": texts,
})
site_values = st.fixed_dictionaries({
    "site_name": texts,
    "domain": st.one_of(st.none(), st.sampled_from(["abc.com", "https://ten.blogspot.com/", "sai domain", "x" * 600])),
    "server_location": st.one_of(st.none(), st.sampled_from(["1.1.1.2/Mỹ", "999.1.1.1/VN", "1.2.3.4"])),
    "registration_phone": st.one_of(st.none(), st.just("0912345678")),
    "registration_email": st.one_of(st.none(), st.just("a@example.com")),
    "established_on": dates, "expires_on": dates, "updated_on": dates, "purpose": texts,
})


def by_model(model: type, stored: dict | None, values: dict, member: Member) -> tuple[dict, list]:
    """What the import did before imports.records: a document, validated, to_mongo()."""
    doc = model._from_son(stored) if stored else model()
    doc.member = member
    for name, value in values.items():
        if name not in OWNER_FIELDS and (stored is None or value not in (None, "")):
            setattr(doc, name, value)
    doc.deleted_at = None
    try:
        doc.validate()
    except ValidationError as exc:
        return {}, messages(exc, model, _numbers(FORMS[model is Site and "sites" or "social"]))
    return doc.to_mongo().to_dict(), []


def by_records(records: Records, stored: dict | None, values: dict, member: Member) -> tuple[dict, list]:
    son, error = records.build(stored, values, member, frozenset(OWNER_FIELDS))
    model = records.model
    return son, messages(error, model, _numbers(FORMS[model is Site and "sites" or "social"])) if error else []


def same(model: type, stored: dict | None, values: dict, member: Member, records: Records) -> None:
    expected, expected_errors = by_model(model, stored, values, member)
    got, errors = by_records(records, stored, values, member)
    assert sorted(errors) == sorted(expected_errors)
    assert {k: v for k, v in got.items() if k not in TIMES} == {k: v for k, v in expected.items() if k not in TIMES}


@pytest.fixture
def owners(app, world):
    with app.app_context():
        quiet = Member(full_name="Lê Thị Không Chức Vụ", organisation=world.cell_a, position="Đảng viên")
        quiet.save()
        Member.objects(pk=quiet.pk).update(unset__position=True)  # a stored member without (4)
        yield [Member.objects.get(pk=world.member_a.pk), Member.objects.get(pk=quiet.pk)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=social_values, stored_values=social_values, which=st.integers(0, 1), stored=st.booleans())
def test_social_records_are_validated_and_stored_as_the_model_does(owners, values, stored_values, which, stored):
    member = owners[which]
    records = Records(SocialAccount)
    base = None
    if stored:
        base, _ = by_model(SocialAccount, None, dict(stored_values, platform="Facebook",
                                                     url="https://facebook.com/cu", account_name="Cũ",
                                                     purpose="Cá nhân", link_type="personal", admin_role=None),
                           owners[0])
        base["_id"] = ObjectId()
    same(SocialAccount, base, values, member, records)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=site_values, which=st.integers(0, 1), stored=st.booleans())
def test_site_records_are_validated_and_stored_as_the_model_does(owners, values, which, stored):
    member = owners[which]
    base = None
    if stored:
        base, _ = by_model(Site, None, {"site_name": "Cũ", "domain": "cu.vn", "purpose": "Cá nhân",
                                        "updated_on": dt.datetime(2024, 1, 1)}, owners[0])
        base["_id"] = ObjectId()
    same(Site, base, values, member, Records(Site))


def test_a_stored_record_with_an_unchanged_row_keeps_its_update_date(owners):
    """The update date moves only when the printed row changes (the digest), on both paths."""
    member = owners[0]
    base, errors = by_model(SocialAccount, None, {"platform": "Facebook", "url": "https://facebook.com/an",
                                                  "account_name": "An", "purpose": "Cá nhân",
                                                  "updated_on": dt.datetime(2024, 3, 1)}, member)
    assert errors == [] and base["updated_on"] == dt.datetime(2024, 3, 1)
    base["_id"] = ObjectId()
    records = Records(SocialAccount)
    son, _ = by_records(records, base, {"purpose": "Cá nhân"}, member)
    assert son["updated_on"] == dt.datetime(2024, 3, 1) and son["content_digest"] == base["content_digest"]
    son, _ = by_records(records, base, {"purpose": "Tuyên truyền"}, member)
    assert son["updated_on"].date() != dt.date(2024, 3, 1) and son["purpose"] == "Tuyên truyền"
    same(SocialAccount, base, {"purpose": "Tuyên truyền"}, member, records)


def test_messages_are_vietnamese_with_limits(owners):
    son, errors = by_records(Records(SocialAccount), None, {"platform": "Facebook", "account_name": "x" * 301,
                                                            "url": "https://facebook.com/an", "purpose": "Cá nhân"},
                             owners[1])
    assert son == {}
    texts = [t for _, t in errors]
    assert "(6) Tên tài khoản: quá dài (tối đa 300 ký tự)." in texts
    assert any(t.startswith("(4) Cấp bậc, chức vụ: bắt buộc") for t in texts)  # the owner has no position


def test_stored_owners_read_from_their_documents_copy_what_members_copy(owners, world):
    """The plan reads stored members as plain ``Owner`` values (no document per person):
    their records must copy exactly what they would copy of the ``Member``."""
    from imports.plan import Owner

    Member.objects(pk=owners[1].pk).update(set__status="transferred", set__left_on=dt.datetime(2025, 1, 1),
                                           set__is_party_member=False)
    for member in (owners[0], Member.objects.get(pk=owners[1].pk)):
        son = Member._get_collection().find_one({"_id": member.pk})
        owner = Owner.of(son, member.organisation)
        assert SocialAccount.owner_values(owner) == SocialAccount.owner_values(member)
    Member.objects(pk=owners[1].pk).update(set__status="active", unset__left_on=True, set__is_party_member=True)


def test_an_import_leaves_no_memo_behind_in_the_worker(world):
    """The normalisers' memos serve one file: after the import the worker holds none of
    its addresses, names or tokens (a 100,000-row file would otherwise stay in memory)."""
    import imports
    from models import normalize
    from tests.fixtures.workbooks import workbook
    from tests.test_import_reading import social_row

    normalize.url("facebook.com/warm.up")
    summary = imports.run(workbook("social", [social_row(c7="facebook.com/an.memo")]), "social", world.commune_a)
    assert summary.created == 1
    assert [c.cache_info().currsize for c in normalize._CACHES] == [0] * len(normalize._CACHES)
    assert search._value_tokens.cache_info().currsize == 0


def test_memos_are_bounded_whatever_the_file_holds(owners, monkeypatch):
    """A file of unique addresses checks every one but remembers at most the cap (a memo of
    a 100,000-row file's addresses would only cost memory); repeated values stay known."""
    import imports.records as records_module

    monkeypatch.setattr(records_module, "_MEMO_SIZE", 50)
    records = Records(SocialAccount)
    for i in range(200):
        son, error = records.build(None, {"platform": "Facebook", "url": f"https://facebook.com/nguoi.{i}",
                                          "account_name": f"Người {i}", "link_type": "personal", "purpose": "Tuyên truyền"},
                                   owners[0], frozenset(OWNER_FIELDS))
        assert error is None and son["url"] == f"https://facebook.com/nguoi.{i}"
    assert len(records._memo) <= 50 and len(records._valid) <= 50
    assert ("platform", str, "Facebook") in records._valid  # seen first, kept
    son, error = records.build(None, {"platform": "Facebook", "url": "https://facebook.com/" + "a" * 1000,
                                      "link_type": "personal"}, owners[0], frozenset(OWNER_FIELDS))
    assert error is not None  # past the cap, values are still checked


def test_a_confirm_keeps_each_record_as_the_bson_it_writes(world):
    """The confirm holds every validated record until the write: as BSON bytes (a third of
    the memory of a dict), decoded to exactly the values validated; the row's values are
    dropped but for the address the result shows."""
    from imports import people, plan, service
    from imports.errors import Limits
    from imports.values import ValueParser
    from tests.fixtures.workbooks import workbook
    from tests.test_import_reading import social_row

    data = workbook("social", [social_row(c7="facebook.com/an.bson")])
    limits = Limits()
    book = service.workbook.read(data, service.package.check(data, limits), limits)
    tables, _ = service.FormImporter("social").tables(book)
    encoding = service.owned_encoding(tables, world.commune_a, limits)
    parser = ValueParser(tables[0][1].form, {s.name: s.formulas for s, _ in tables},
                         {s.name: h.columns for s, h in tables}, encoding)
    rows = [parser.parse(r) for r in service.data_rows(tables, limits)]
    matcher = people.Matcher(world.commune_a, {r.cell for r in rows}, {r.person for r in rows})
    shown = plan.build(tables[0][1].form, world.commune_a, rows, matcher, keep=False)
    kept = plan.build(tables[0][1].form, world.commune_a, rows, matcher, keep=True)  # consumes the rows
    assert not kept.errors, kept.errors
    action = kept.actions[0]
    assert isinstance(action.son, bytes) and shown.actions[0].son is None
    record = action.record()
    assert record["url"] == "https://facebook.com/an.bson" and record["url_key"] == "facebook.com/an.bson"
    assert action.values == {"url": "https://facebook.com/an.bson"}
    assert "account_name" in shown.actions[0].values
