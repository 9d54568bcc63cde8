"""An export of the register, imported back, changes nothing (issue 4, "done when")."""

from __future__ import annotations

import datetime as dt
import io

import pytest

import imports
from models import Member, Site, SocialAccount
from services import reports
from tests import factories


@pytest.mark.parametrize("kind", ["social", "sites"])
def test_export_then_import_changes_nothing(world, kind) -> None:
    """Ensure that forms 1 and 2 as the panel exports them import back as all unchanged."""
    extra = factories.member(world.cell_a, "Lê Thị Hoa", position="Phó Bí thư", phone="0987000111")
    factories.account(extra, "https://www.facebook.com/groups/thonmot", link_type="group",
                      admin_role="Quản trị viên", registration_phone="0987000111",
                      established_on=dt.date(2019, 3, 4), updated_on=dt.date(2025, 9, 30))
    factories.site(extra, "https://hoa.blogspot.com", server_location="1.1.1.2/Mỹ",
                   established_on=dt.date(2020, 1, 1), expires_on=dt.date(2030, 1, 1))
    out = io.BytesIO()
    exported = reports.export_form(kind, out, world.commune_a)
    model = SocialAccount if kind == "social" else Site
    before = [d.to_mongo().to_dict() for d in model.objects.order_by("id")]
    people = Member.objects.count()
    result = imports.run(out.getvalue(), kind, world.commune_a, dry_run=False).as_json()
    assert result == {"rows": exported, "created": 0, "updated": 0, "unchanged": exported,
                      "people_created": 0, "errors": [], "candidates": []}
    assert [d.to_mongo().to_dict() for d in model.objects.order_by("id")] == before
    assert Member.objects.count() == people


@pytest.mark.parametrize("kind", ["social", "sites"])
def test_district_export_with_repeated_names_imports_back_unchanged(world, kind) -> None:
    """Ensure that a whole district's export, where two communes have a cell of the same name
    and a cell has two people of the same name, imports back at district level with
    0 created, 0 updated, and that the printed layout is unchanged (identity column hidden)."""
    import openpyxl

    twin_cell = factories.org("XB-2", "Chi bộ thôn 1", world.commune_b)
    for owner in (factories.member(twin_cell, "Nguyễn Văn An"), factories.member(world.cell_a, "Nguyễn Văn An")):
        factories.account(owner, f"https://www.facebook.com/an.{owner.pk}")
        factories.site(owner, f"an{owner.pk}.blogspot.com")
    out = io.BytesIO()
    exported = reports.export_form(kind, out, world.district)
    model = SocialAccount if kind == "social" else Site
    before = [d.to_mongo().to_dict() for d in model.objects.order_by("id")]
    result = imports.run(out.getvalue(), kind, world.district, dry_run=False).as_json()
    assert result == {"rows": exported, "created": 0, "updated": 0, "unchanged": exported,
                      "people_created": 0, "errors": [], "candidates": []}
    assert [d.to_mongo().to_dict() for d in model.objects.order_by("id")] == before
    sheet = openpyxl.load_workbook(out).active
    width = 12 if kind == "social" else 13
    identity = sheet.cell(row=7, column=width + 1)
    assert identity.value == "Mã bản ghi (không in)"
    assert sheet.column_dimensions[identity.column_letter].hidden


def test_cli_import_of_an_export_with_a_legacy_invalid_row_is_unchanged_and_says_why(world, runner, tmp_path) -> None:
    """Ensure that ``flask forms import`` of the panel's export, where a legacy account keeps an
    invalid phone, rejects nothing and prints the warning with the record to fix."""
    legacy = SocialAccount(member=world.member_a, url="https://www.facebook.com/an.cu", platform="Facebook",
                           account_name="An cũ", purpose="Tuyên truyền", registration_phone="12345")
    legacy.save_legacy()
    path = tmp_path / "bieu-mau-2.xlsx"
    with open(path, "wb") as handle:
        exported = reports.export_form("social", handle, world.commune_a)
    result = runner.invoke(args=["forms", "import", "social", str(path), "--org", "xa"])
    assert result.exit_code == 0, result.output
    assert f"không đổi {exported}, bị từ chối 0" in result.output
    assert "(8): Không đổi, nhưng bản ghi đang lưu có (8) Số điện thoại đăng ký sai định dạng (“12345”)" in result.output
    assert f"(mã hồ sơ {legacy.pk})" in result.output
