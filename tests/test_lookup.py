"""Owner look-up: every input form, the duplicate flag, scope, and the screen."""

from __future__ import annotations

import unicodedata

import pytest

from services import lookup
from tests import factories


@pytest.fixture
def admin_user(world: factories.World):
    return factories.user("quantri", world.district, "admin")


@pytest.fixture
def officer_a(world: factories.World):
    return factories.user("canbo_a", world.commune_a, "officer")


def owners(result: lookup.Result) -> list[str]:
    return [o.member["full_name"] for o in result.owners]


@pytest.mark.parametrize("query", ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678",
                                   "84912345678", "912345678", "(091) 234-5678"])
def test_phone_in_any_spelling(world, admin_user, query):
    """Ensure that a phone number written any way finds the person who holds it."""
    result = lookup.lookup(query, admin_user)
    assert result.query.kind == "phone" and result.query.key == "0912345678"
    assert owners(result) == ["Nguyễn Văn An"]


def test_registration_phone_of_an_account(world, admin_user):
    """Ensure that the phone used to register an account (not the person's own) finds it."""
    acc = factories.account(world.member_b, "https://zalo.me/0977000111", platform="Zalo",
                            registration_phone="0977 000 111")
    result = lookup.lookup("+84977000111", admin_user)
    assert owners(result) == ["Trần Thị Bình"]
    [record] = result.owners[0].records
    assert record.doc["_id"] == acc.pk and record.matched_on == "Số điện thoại đăng ký"


@pytest.mark.parametrize("query", ["an@example.com", "AN@Example.COM", " an@example.com "])
def test_email_of_a_person(world, admin_user, query):
    """Ensure that an e-mail is matched whatever its case."""
    assert owners(lookup.lookup(query, admin_user)) == ["Nguyễn Văn An"]


def test_registration_email_and_no_prefix_match(world, admin_user):
    """Ensure that a registration e-mail is found exactly, and a prefix of it is not."""
    factories.account(world.member_b, "https://www.tiktok.com/@binh", platform="Tiktok",
                      registration_email="Binh.Dangky@Gmail.com")
    assert owners(lookup.lookup("binh.dangky@gmail.com", admin_user)) == ["Trần Thị Bình"]
    assert owners(lookup.lookup("binh.dangky@gmail.co", admin_user)) == []


@pytest.mark.parametrize("query", [
    "https://www.facebook.com/nguyenvanan", "facebook.com/nguyenvanan", "fb.com/nguyenvanan",
    "m.facebook.com/nguyenvanan", "http://www.facebook.com/NguyenVanAn/", "www.facebook.com/nguyenvanan/",
    "https://m.facebook.com/nguyenvanan?fbclid=IwAR0abc&utm_source=zalo",
    "https://www.facebook.com/nguyenvanan/posts/pfbid0123",  # a post on the profile
])
def test_url_in_any_form(world, admin_user, query):
    """Ensure that full, partial, mobile and tracked URLs find the declared account only."""
    result = lookup.lookup(query, admin_user)
    assert result.query.kind == "url"
    assert owners(result) == ["Nguyễn Văn An"]
    assert [r.doc["_id"] for r in result.owners[0].records] == [world.account_a.pk]


def test_profile_id_url_keeps_its_id_and_drops_tracking(world, admin_user):
    """Ensure that ``profile.php?id=`` addresses match on the id, not on the tracking."""
    factories.account(world.member_b, "https://www.facebook.com/profile.php?id=100012345", account_name="Bình")
    query = "https://m.facebook.com/profile.php?id=100012345&mibextid=ZbWKwL"
    assert owners(lookup.lookup(query, admin_user)) == ["Trần Thị Bình"]
    assert owners(lookup.lookup("facebook.com/profile.php?id=100099999", admin_user)) == []


def test_dotted_user_name_is_not_taken_for_a_domain(world, admin_user):
    """Ensure that "nguyen.van.an" (host-shaped) still finds the account whose address holds it."""
    factories.account(world.member_b, "https://www.facebook.com/tran.thi.binh", account_name="Bình Trần")
    result = lookup.lookup("tran.thi.binh", admin_user)
    assert owners(result) == ["Trần Thị Bình"] and result.query.kind == "text"


def test_partial_url_missing_a_segment(world, admin_user):
    """Ensure that a group address typed without ``groups/`` still finds the group's admin."""
    factories.account(world.member_b, "https://www.facebook.com/groups/hoinongdan.vb", link_type="group",
                      admin_role="Quản trị viên", account_name="Hội Nông dân Vĩnh Bảo")
    result = lookup.lookup("fb.com/hoinongdan.vb", admin_user)
    assert owners(result) == ["Trần Thị Bình"]
    assert result.owners[0].records[0].matched_on == "Đường dẫn (một phần)"
    assert owners(lookup.lookup("facebook.com/groups/hoinongdan.vb/posts/9", admin_user)) == ["Trần Thị Bình"]


@pytest.mark.parametrize("query", ["nguyenvanan.blogspot.com", "https://nguyenvanan.blogspot.com/",
                                   "NguyenVanAn.blogspot.com/2023/05/bai-viet.html", "www.nguyenvanan.blogspot.com"])
def test_domain_and_page_of_a_site(world, admin_user, query):
    """Ensure that a domain, or the address of a page on it, finds the site's owner."""
    result = lookup.lookup(query, admin_user)
    assert owners(result) == ["Nguyễn Văn An"]
    assert [r.doc["_id"] for r in result.owners[0].records] == [world.site_a.pk]


@pytest.mark.parametrize("query", ["Nguyễn Văn An", "nguyen van an", "NGUYEN VAN AN",
                                   unicodedata.normalize("NFD", "Nguyễn Văn An"), "van an"])
def test_name_with_or_without_diacritics(world, admin_user, query):
    """Ensure that a person's name (NFC, NFD, folded) finds them with all their records."""
    result = lookup.lookup(query, admin_user)
    assert owners(result) == ["Nguyễn Văn An"]
    owner = result.owners[0]
    assert {r.doc["_id"] for r in owner.records} == {world.account_a.pk, world.site_a.pk}
    assert owner.member["position"] == "Đảng viên" and owner.member["org_name"] == "Chi bộ thôn 1"
    assert owner.committee == "Đảng bộ xã An Hòa"


def test_account_display_name(world, admin_user):
    """Ensure that an account's display name finds its owner, whose name differs."""
    factories.account(world.member_a, "https://www.youtube.com/@gocnho", platform="Youtube",
                      account_name="Góc nhỏ Vĩnh Bảo")
    result = lookup.lookup("goc nho vinh bao", admin_user)
    assert owners(result) == ["Nguyễn Văn An"]
    assert [r.matched_on for r in result.owners[0].records] == ["Tên tài khoản"]


def test_last_updated_is_returned(world, admin_user):
    """Ensure that each record carries its update date for the answer."""
    record = lookup.lookup("fb.com/nguyenvanan", admin_user).owners[0].records[0]
    assert record.doc["updated_on"] is not None


def test_same_url_declared_by_two_people_is_flagged(world, admin_user):
    """Ensure that one address declared by two different people is flagged on both."""
    other = factories.member(world.cell_a, "Lê Văn Cường", phone="0933111222")
    factories.account(other, "https://m.facebook.com/nguyenvanan/")
    result = lookup.lookup("facebook.com/nguyenvanan", admin_user)
    assert sorted(owners(result)) == ["Lê Văn Cường", "Nguyễn Văn An"]
    assert all(o.duplicate for o in result.owners)
    [conflict] = result.conflicts
    assert conflict.value == "facebook.com/nguyenvanan" and conflict.names == ["Lê Văn Cường", "Nguyễn Văn An"]


def test_same_phone_declared_by_two_people_is_flagged(world, admin_user):
    """Ensure that a phone used by another person to register an account is flagged."""
    factories.account(world.member_b, "https://zalo.me/binh", platform="Zalo", registration_phone="0912345678")
    result = lookup.lookup("0912345678", admin_user)
    assert sorted(owners(result)) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert [c.value for c in result.conflicts] == ["0912345678"]


def test_one_person_declaring_twice_is_not_a_conflict(world, admin_user):
    """Ensure that the same person's phone on several records raises no flag."""
    factories.account(world.member_a, "https://zalo.me/0912345678", platform="Zalo", registration_phone="0912345678")
    result = lookup.lookup("0912345678", admin_user)
    assert owners(result) == ["Nguyễn Văn An"] and result.conflicts == []


def test_scope_hides_a_siblings_owner_and_conflicts(world, officer_a, admin_user):
    """Ensure that an officer finds nothing in a sibling commune, not even as a conflict."""
    assert owners(lookup.lookup("facebook.com/tranthibinh", officer_a)) == []
    assert owners(lookup.lookup("0987654321", officer_a)) == []
    assert owners(lookup.lookup("Trần Thị Bình", officer_a)) == []
    factories.account(world.member_b, "https://www.facebook.com/nguyenvanan?ref=x")
    mine = lookup.lookup("facebook.com/nguyenvanan", officer_a)
    assert owners(mine) == ["Nguyễn Văn An"] and mine.conflicts == []
    assert len(lookup.lookup("facebook.com/nguyenvanan", admin_user).conflicts) == 1


def test_soft_deleted_records_are_not_found(world, admin_user):
    """Ensure that a deleted record no longer answers a look-up."""
    world.account_a.update(set__deleted_at=world.account_a.created_at)
    assert owners(lookup.lookup("fb.com/nguyenvanan", admin_user)) == []


@pytest.mark.parametrize("query", ["", "   ", "...", "a"])
def test_empty_or_meaningless_query(world, admin_user, query):
    """Ensure that nothing meaningful finds nobody (and does not list everybody)."""
    assert owners(lookup.lookup(query, admin_user)) == []


def test_operator_shaped_query_is_plain_text(world, admin_user):
    """Ensure that operator-looking input is only text."""
    for query in ['{"$ne": ""}', "$where", "search_keys__ne=x", ".*"]:
        assert owners(lookup.lookup(query, admin_user)) == []


def test_lookup_through_the_screen_is_audited(officer_client, world):
    from models import AuditEntry

    r = officer_client.get("/admin/lookup/?q=0912+345+678")
    assert r.status_code == 200 and "Nguyễn Văn An" in r.get_data(as_text=True)
    entry = AuditEntry.objects(action="lookup").first()
    assert entry is not None and entry.username == "canbo_a" and entry.detail == "q=0912 345 678"
