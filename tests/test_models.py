"""Ensure that the documents keep their derived fields, keys and rules consistent."""

from __future__ import annotations

import datetime as dt

import pytest
from mongoengine import ValidationError
from mongoengine.errors import NotUniqueError

from models import Member, Organisation, OrganisationNotEmpty, Site, SocialAccount
from services import members
from tests import factories


def test_scope_path_and_subtree(world):
    assert world.cell_a.scope == [world.district.pk, world.commune_a.pk, world.cell_a.pk]
    assert {o.code for o in world.commune_a.subtree()} == {"XA", "XA-1"}
    assert world.account_a.scope == world.cell_a.scope
    assert world.cell_a.path == "Huyện ủy Vĩnh Bảo › Đảng bộ xã An Hòa › Chi bộ thôn 1"


def test_moving_an_organisation_moves_its_records(world):
    world.cell_a.parent = world.commune_b
    world.cell_a.save()
    world.account_a.reload()
    world.member_a.reload()
    assert world.member_a.scope == [world.district.pk, world.commune_b.pk, world.cell_a.pk]
    assert world.account_a.scope == world.member_a.scope
    assert SocialAccount.objects(scope=world.commune_b.pk).count() == 2


def test_cannot_become_own_descendant(world):
    world.commune_a.parent = world.cell_a
    with pytest.raises(ValidationError):
        world.commune_a.save()


def test_renaming_member_updates_accounts(world):
    world.member_a.full_name = "Nguyễn Văn Ân"
    world.member_a.position = "Bí thư chi bộ"
    members.save(world.member_a, audited=False)
    world.account_a.reload()
    assert world.account_a.member_name == "Nguyễn Văn Ân" and world.account_a.position == "Bí thư chi bộ"
    assert "ân" not in world.account_a.search_keys and "an" in world.account_a.search_keys


def test_dissolving_non_empty_organisation_refused(world):
    with pytest.raises(OrganisationNotEmpty, match="còn tổ chức trực thuộc"):
        world.commune_a.delete()
    with pytest.raises(OrganisationNotEmpty, match="Không thể giải thể"):
        world.cell_a.delete()
    # soft-deleted people still block: their records must not be lost
    world.member_a.deleted_at = world.member_a.modified_at
    members.save(world.member_a, audited=False)
    with pytest.raises(OrganisationNotEmpty):
        world.cell_a.delete()
    assert Organisation.objects(pk=world.cell_a.pk).count() == 1


def test_empty_organisation_can_be_dissolved(world):
    empty = factories.org("XA-9", "Chi bộ giải thể", world.commune_a)
    empty.delete()
    assert Organisation.objects(code="XA-9").count() == 0


def test_dissolving_a_unit_that_assigned_a_task_is_refused_in_vietnamese(world):
    """Ensure that a unit named only by another unit's record (a task it assigned to a cell
    below) is refused like a unit with records of its own, not with MongoEngine's error."""
    from models import Task

    unit = factories.org("XA-8", "Đảng bộ bộ phận 8", world.commune_a, "committee")
    cell = factories.org("XA-8-1", "Chi bộ 8", unit)
    Task(title="Tuyên truyền", due_on=dt.datetime(2026, 12, 20), organisation=cell, assigned_by=unit).save()
    cell.parent = world.commune_a  # the cell moves away; the task keeps the unit that assigned it
    cell.save()
    assert not unit.holdings() and unit.references() == {Task: 1}
    with pytest.raises(OrganisationNotEmpty, match="Không thể giải thể “Đảng bộ bộ phận 8”: còn nhiệm vụ"):
        unit.delete()
    assert Organisation.objects(pk=unit.pk).count() == 1


def test_party_card_unique_only_when_present(world):
    factories.member(world.cell_a, "Người Một", party_card_number="")
    factories.member(world.cell_a, "Người Hai", party_card_number=None)
    factories.member(world.cell_a, "Người Ba", party_card_number="79000001")
    with pytest.raises(NotUniqueError):
        factories.member(world.cell_b, "Người Bốn", party_card_number="79000001")


def test_natural_key_of_accounts_is_unique(world):
    with pytest.raises(NotUniqueError):
        factories.account(world.member_a, "http://facebook.com/NguyenVanAn/?fbclid=xyz")
    with pytest.raises(NotUniqueError):
        factories.site(world.member_a, "NguyenVanAn.blogspot.com")


def test_strict_save_names_the_field_in_vietnamese(world):
    acc = SocialAccount(member=world.member_a, platform="Zalo", account_name="An", url="zalo.me/0912345678",
                        registration_phone="123", purpose="Cá nhân")
    with pytest.raises(ValidationError) as err:
        acc.save()
    assert "(8) Số điện thoại đăng ký" in str(err.value.to_dict())


def test_legacy_save_keeps_value_and_marks_issue(world):
    acc = SocialAccount(member=world.member_a, platform="zalo", account_name="An", url="zalo.me/0912345678",
                        registration_phone="123", purpose=None)
    acc.save_legacy()
    acc.reload()
    assert acc.registration_phone == "123" and acc.platform == "Zalo"
    assert acc.quality_issues == ["invalid:registration_phone", "missing:purpose"]
    assert SocialAccount.objects(quality_issues="missing:purpose").count() == 1


def test_member_leaving_needs_date(world):
    world.member_a.status = "deceased"
    with pytest.raises(ValidationError):
        world.member_a.save()


def test_site_expiry_after_establishment(world):
    s = Site(member=world.member_a, site_name="X", domain="x.vn", purpose="Tuyên truyền",
             established_on=dt.datetime(2023, 10, 2), expires_on=dt.datetime(2023, 10, 1))
    with pytest.raises(ValidationError, match="Thời hạn hết hạn"):
        s.save()


def test_member_search_keys_fold_accents(world):
    assert {"nguyen", "van", "an", "n", "v"} <= set(world.member_a.search_keys)
    assert "ngu" not in world.member_a.search_keys  # prefixes are bounded (PREFIX_LEN)
    assert "0912345678" in world.member_a.search_keys
    assert Member.objects(search_keys__all=["tran", "binh"]).count() == 1


def test_same_cell_name_in_two_communes_sorts_by_tree(world):
    twin_b = factories.org("XB-0", "Chi bộ thôn 1", world.commune_b)  # same name as XA-1
    factories.member(twin_b, "An Văn B")
    factories.member(world.cell_a, "Ân Thị A")
    order = [(m.org_key, m.full_name) for m in Member.objects.order_by("org_key", "sort_key")]
    assert order == [("HU/XA/XA-1", "Ân Thị A"), ("HU/XA/XA-1", "Nguyễn Văn An"),
                     ("HU/XB/XB-0", "An Văn B"), ("HU/XB/XB-1", "Trần Thị Bình")]


def test_moving_an_organisation_moves_its_users(world):
    officer = factories.user("canbo_x", world.cell_a)
    world.cell_a.parent = world.commune_b
    world.cell_a.name = "Chi bộ thôn 1 (mới)"
    world.cell_a.save()
    officer.reload()
    assert officer.scope == [world.district.pk, world.commune_b.pk, world.cell_a.pk]
    assert officer.org_name == "Chi bộ thôn 1 (mới)"
