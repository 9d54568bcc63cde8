"""The "Nhập từ Excel" screen: upload -> preview (writes nothing) -> confirm (writes)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from models import ImportLog, SocialAccount
from models.audit import AuditEntry
from tests import factories
from tests.conftest import csrf_token
from tests.fixtures.workbooks import workbook
from tests.test_import_reading import FIRST, social_row

URL = "/admin/imports/"


@pytest.fixture(autouse=True)
def _tmp(app, tmp_path) -> None:
    app.config["IMPORT_TMP_DIR"] = str(tmp_path)


def upload(client, org, data: bytes, token: str | None = None, kind: str = "") -> object:
    form = {"org": str(org.pk), "kind": kind, "file": (io.BytesIO(data), "chi-bo-thon-1.xlsx")}
    if token is not None:
        form["csrf_token"] = token
    return client.post(URL + "preview/", data=form, content_type="multipart/form-data")


def rows() -> list[list]:
    return [social_row(c7="facebook.com/web1"), social_row(c7="facebook.com/web2", c8="12"),
            social_row(c3="Đỗ Văn Mới", c7="facebook.com/web3", c8="", c9="")]  # no contact of someone else


def test_preview_then_confirm(officer_client, world) -> None:
    """Ensure that the preview shows counts and rejected rows and writes nothing, that the
    error report downloads as xlsx, and that only the confirm writes (and is logged)."""
    token = csrf_token(officer_client, URL)
    before = SocialAccount.objects.count()
    page = upload(officer_client, world.commune_a, workbook("social", rows()), token)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Xem trước" in html
    assert re.search(r"Sẽ thêm mới</th><td>2<", html) and re.search(r"Bị từ chối</th><td>1<", html)
    assert f"<td>{FIRST + 1}</td><td>Bị từ chối</td>" in html and "(8) Số điện thoại" in html
    assert SocialAccount.objects.count() == before and not ImportLog.objects.count()
    pending = re.search(r'name="token" value="([^"]+)"', html).group(1)
    report = officer_client.get(f"{URL}errors/{pending}/")
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.data)).active
    assert [c.value for c in sheet[4]][:5] == ["Biểu mẫu", str(FIRST + 1), "Nguyễn Văn An", "https://facebook.com/web2", "(8)"]
    done = officer_client.post(URL + "confirm/", data={"token": pending, "csrf_token": token})
    assert done.status_code == 302
    assert SocialAccount.objects.count() == before + 2
    log = ImportLog.objects.get()
    assert (log.username, log.filename, log.created, log.rejected, log.people_created) == ("canbo_a", "chi-bo-thon-1.xlsx", 2, 1, 1)
    assert AuditEntry.objects(action="import").count() == 1
    listing = officer_client.get(URL).get_data(as_text=True)
    assert "chi-bo-thon-1.xlsx" in listing
    again = officer_client.post(URL + "confirm/", data={"token": pending, "csrf_token": token})
    assert again.status_code == 404  # a preview is confirmed once


def test_confirm_writes_nothing_when_the_register_changed_since_the_preview(officer_client, world) -> None:
    """Ensure that preview = result: when someone changes the register between the preview
    and the confirm (here: the person the file names as new is entered meanwhile), the
    confirm writes nothing, says why, and shows the new preview; confirming that one writes."""
    token = csrf_token(officer_client, URL)
    page = upload(officer_client, world.commune_a, workbook("social", rows()), token)
    pending = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    before = SocialAccount.objects.count()
    moi = factories.member(world.cell_a, "Đỗ Văn Mới")  # another officer, in another tab
    stale = officer_client.post(URL + "confirm/", data={"token": pending, "csrf_token": token})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 200 and "đã thay đổi kể từ lúc xem trước" in html and "Chưa ghi gì" in html
    assert SocialAccount.objects.count() == before and not ImportLog.objects.count()
    assert re.search(r"Người mới sẽ được thêm vào danh sách</th><td>0<", html)  # the new preview: Mới exists now
    assert re.search(r'name="token" value="([^"]+)"', html).group(1) == pending
    done = officer_client.post(URL + "confirm/", data={"token": pending, "csrf_token": token})
    assert done.status_code == 302 and SocialAccount.objects.count() == before + 2
    assert SocialAccount.objects(url_key="facebook.com/web3").get().member == moi
    assert ImportLog.objects.get().people_created == 0


def test_post_without_or_with_wrong_csrf_token_refused(officer_client, world) -> None:
    """Ensure that preview and confirm without a valid CSRF token are refused (400)."""
    data = workbook("social", rows())
    assert upload(officer_client, world.commune_a, data).status_code == 400
    assert upload(officer_client, world.commune_a, data, "forged").status_code == 400
    assert officer_client.post(URL + "confirm/", data={"token": "x" * 32}).status_code == 400
    assert SocialAccount.objects.count() == 2


def test_target_outside_scope_and_foreign_preview_refused(officer_client, world, login) -> None:
    """Ensure that an officer cannot import into a sibling commune, nor confirm another
    officer's preview."""
    token = csrf_token(officer_client, URL)
    assert upload(officer_client, world.commune_b, workbook("social", rows()), token).status_code == 404
    factories.user("canbo_b", world.commune_a, "officer")
    other = login("canbo_b")
    html = upload(other, world.commune_a, workbook("social", rows()), csrf_token(other, URL)).get_data(as_text=True)
    pending = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert officer_client.post(URL + "confirm/", data={"token": pending, "csrf_token": token}).status_code == 404
    assert officer_client.get(f"{URL}errors/{pending}/").status_code == 404
    assert officer_client.post(URL + "confirm/", data={"token": "../../etc/passwd", "csrf_token": token}).status_code == 404
    assert SocialAccount.objects.count() == 2


def test_unusable_file_flashes_a_message_and_writes_nothing(officer_client, world) -> None:
    """Ensure that a renamed PDF uploaded on the web gets a Vietnamese message, no preview."""
    token = csrf_token(officer_client, URL)
    page = upload(officer_client, world.commune_a, b"%PDF-1.4 x", token)
    assert page.status_code == 302
    assert "PDF" in officer_client.get(URL).get_data(as_text=True)
    assert SocialAccount.objects.count() == 2


def test_upload_over_the_limit_is_413(app, officer_client, world) -> None:
    """Ensure that an upload over MAX_CONTENT_LENGTH is refused with 413."""
    token = csrf_token(officer_client, URL)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    data = workbook("social", rows()) + b"\0" * (80 * 1024)
    assert upload(officer_client, world.commune_a, data, token).status_code == 413


def test_viewer_and_anonymous_cannot_import(client, world, login) -> None:
    """Ensure that read-only users get 403 and anonymous users are sent to the login page."""
    factories.user("xem", world.commune_a, "viewer")
    assert login("xem").get(URL).status_code == 403
    assert client.get(URL).status_code == 302


def test_preview_escapes_values_quoted_in_reasons(officer_client, world) -> None:
    """Ensure that markup typed in a cell and quoted in a reason is shown escaped."""
    token = csrf_token(officer_client, URL)
    data = workbook("social", [social_row(c2="<body onload=alert(1)>", c7="facebook.com/xss")])
    html = upload(officer_client, world.commune_a, data, token).get_data(as_text=True)
    assert "&lt;body onload=alert(1)&gt;" in html and "<body onload=alert(1)>" not in html


def test_preview_resolution_of_a_possible_duplicate(officer_client, world) -> None:
    """Ensure that the preview offers "same person / new person" for a possible duplicate and
    that the confirm applies the officer's choice (here: the existing member)."""
    from tests.fixtures.office import SheetSpec, build

    token = csrf_token(officer_client, URL)
    row = social_row(c3="Nguyen Van An", c7="facebook.com/web.trung", c8="")
    data = build([SheetSpec("Cũ", [row], state="hidden"), SheetSpec("Thôn 1", [row])])
    html = upload(officer_client, world.commune_a, data, token).get_data(as_text=True)
    assert "Trang ẩn, không đọc: “Cũ”" in html and "Có thể trùng người đã có" in html
    choice = re.search(r'name="(resolve:[^"]+)" value="([0-9a-f]{24})"', html)
    assert choice and choice.group(2) == str(world.member_a.pk)
    pending = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = officer_client.post(URL + "confirm/", data={"token": pending, "csrf_token": token,
                                                       choice.group(1): choice.group(2)})
    assert done.status_code == 302
    assert SocialAccount.objects(url_key="facebook.com/web.trung").get().member == world.member_a


def _pending(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_unknown_cell_chosen_on_the_page_and_learnt(officer_client, world) -> None:
    """Ensure that an unknown cell name offers the target's cells in a select, that the confirm
    with the choice imports the row and keeps the name as the cell's alias."""
    from models import Organisation

    token = csrf_token(officer_client, URL)
    data = workbook("social", [social_row(c2="CB thôn 1", c7="facebook.com/cbthon1", c8="", c9="")])
    html = upload(officer_client, world.commune_a, data, token).get_data(as_text=True)
    assert 'name="resolve:cell:CB thôn 1"' in html and f'value="{world.cell_a.pk}"' in html
    assert "--resolve" not in html and "dòng lệnh" not in html
    done = officer_client.post(URL + "confirm/", data={"token": _pending(html), "csrf_token": token,
                                                       "resolve:cell:CB thôn 1": str(world.cell_a.pk)})
    assert done.status_code == 302
    assert SocialAccount.objects(url_key="facebook.com/cbthon1").get().member == world.member_a
    assert Organisation.objects.get(pk=world.cell_a.pk).aliases == ["CB thôn 1"]
    edit = officer_client.get(f"/admin/organisation/edit/?id={world.cell_a.pk}").get_data(as_text=True)
    assert "CB thôn 1" in edit  # editable on the unit's page


def test_conflict_kept_by_default_and_taken_from_the_file_when_chosen(officer_client, world) -> None:
    """Ensure that an older file's change is shown as a conflict (file / stored) and applied only
    when the officer picks the file's value."""
    import datetime as dt

    from models import normalize

    SocialAccount.objects(pk=world.account_a.pk).update(set__updated_on=normalize.today_stored())
    old = normalize.format_date(normalize.today() - dt.timedelta(days=300))
    data = workbook("social", [social_row(c7="https://www.facebook.com/nguyenvanan", c6="Nguyễn Văn An",
                                          c10="01/05/2020", c11=old, c12="Cá nhân")])
    token = csrf_token(officer_client, URL)
    html = upload(officer_client, world.commune_a, data, token).get_data(as_text=True)
    assert 'id="import-conflicts"' in html and "theo tệp <strong>Cá nhân</strong> / đã có <strong>Tuyên truyền</strong>" in html
    key = f"resolve:conflict:{world.account_a.pk}"
    officer_client.post(URL + "confirm/", data={"token": _pending(html), "csrf_token": token, key: ""})
    assert SocialAccount.objects.get(pk=world.account_a.pk).purpose == "Tuyên truyền"
    html = upload(officer_client, world.commune_a, data, token).get_data(as_text=True)
    officer_client.post(URL + "confirm/", data={"token": _pending(html), "csrf_token": token, key: "file"})
    assert SocialAccount.objects.get(pk=world.account_a.pk).purpose == "Cá nhân"


def test_rejected_row_corrected_on_the_page_and_the_rejected_list_after_confirm(officer_client, world) -> None:
    """Ensure that a rejected row can be corrected in place ("Sửa và xem lại" makes a new
    preview), and that after a confirm with rejected rows their list is offered for download."""
    data = workbook("social", [social_row(c7="facebook.com/sua.web", c8="12"), social_row(c7="facebook.com/bo.qua", c8="34")])
    token = csrf_token(officer_client, URL)
    html = upload(officer_client, world.commune_a, data, token).get_data(as_text=True)
    pending = _pending(html)
    assert f'name="fix:Biểu mẫu|{FIRST}|8"' in html and "facebook.com/sua.web" in html
    revised = officer_client.post(URL + "revise/", data={"token": pending, "csrf_token": token,
                                                         f"fix:Biểu mẫu|{FIRST}|8": "0912345678"})
    text = revised.get_data(as_text=True)
    assert re.search(r"Sẽ thêm mới</th><td>1<", text) and re.search(r"Bị từ chối</th><td>1<", text)
    done = officer_client.post(URL + "confirm/", data={"token": pending, "csrf_token": token})
    assert done.status_code == 302 and "rejected=" in done.headers["Location"]
    assert SocialAccount.objects(url_key="facebook.com/sua.web").get().registration_phone == "0912345678"
    assert not SocialAccount.objects(url_key="facebook.com/bo.qua").count()  # left as it was: skipped
    index = officer_client.get(done.headers["Location"]).get_data(as_text=True)
    assert "tải danh sách dòng bị từ chối" in index and "<th>Thời gian</th>" in index
    report = officer_client.get(f"{URL}errors/{pending}/")
    sheet = openpyxl.load_workbook(io.BytesIO(report.data)).active
    assert [c.value for c in sheet[4]][:3] == ["Biểu mẫu", str(FIRST + 1), "Nguyễn Văn An"]


def test_preview_with_nothing_to_write_says_so(officer_client, world) -> None:
    """Ensure that a file that changes nothing says the confirm would write nothing."""
    data = workbook("social", [social_row(c7="https://www.facebook.com/nguyenvanan", c6="Nguyễn Văn An",
                                          c8="", c9="", c10="01/05/2020")])
    html = upload(officer_client, world.commune_a, data, csrf_token(officer_client, URL)).get_data(as_text=True)
    assert 'id="import-nothing"' in html and "xác nhận sẽ không ghi gì" in html


def test_preview_of_an_export_with_legacy_invalid_rows_warns_and_links_the_records(officer_client, world) -> None:
    """Ensure that the panel's own export, where legacy records hold an invalid phone or a person
    lacks a position, previews with no row rejected: those rows are "Không đổi" with a warning
    naming the record's cell and a link to the record (or person) to fix it, nothing to write."""
    from models import Member
    from services import reports

    legacy = SocialAccount(member=world.member_a, url="https://www.facebook.com/an.cu", platform="Facebook",
                           account_name="An cũ", purpose="Tuyên truyền", registration_phone="12345")
    legacy.save_legacy()
    cuong = Member(full_name="Lê Văn Cường", organisation=world.cell_a)
    cuong.save_legacy()
    SocialAccount(member=cuong, url="https://www.facebook.com/cuong.cu", platform="Facebook", account_name="Cường",
                  purpose="Tuyên truyền").save_legacy()
    out = io.BytesIO()
    exported = reports.export_form("social", out, world.commune_a)
    html = upload(officer_client, world.commune_a, out.getvalue(), csrf_token(officer_client, URL)).get_data(as_text=True)
    assert re.search(r"Bị từ chối</th><td>0<", html) and re.search(rf"Không thay đổi</th><td>{exported}<", html)
    assert re.search(r'id="import-warned">2<', html)
    assert "(8) Số điện thoại đăng ký sai định dạng (“12345”)" in html
    assert f'href="/admin/socialaccount/edit/?id={legacy.pk}"' in html
    assert "thiếu (4) Cấp bậc, chức vụ" in html and f'href="/admin/member/edit/?id={cuong.pk}"' in html
    assert 'id="import-nothing"' in html
