"""Ensure that document attachments are checked by content and size, stored in GridFS
and served only in scope, and that meeting roll calls record absences with reasons."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from models import Meeting, PartyDocument, party_work
from tests import factories
from tests.conftest import csrf_token

DOC = {"number": "12-NQ/ĐU", "title": "Nghị quyết về chuyển đổi số", "doc_type": "Nghị quyết",
       "issued_on": "01/11/2026", "direction": "issued"}


def _create(client, org, files):
    path = "/admin/partydocument/new/"
    data = {**DOC, "organisation": str(org.pk), "csrf_token": csrf_token(client, path),
            "upload": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(path, data=data, content_type="multipart/form-data")


def test_pdf_attachment_stored_and_served_in_scope(officer_client, world, login):
    r = _create(officer_client, world.commune_a, [("nghi-quyet.pdf", b"%PDF-1.7\n% noi dung\n")])
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    doc = PartyDocument.objects.get()
    assert len(doc.attachments) == 1
    proxy = doc.attachments[0]
    assert proxy.filename == "nghi-quyet.pdf" and proxy.metadata == {"content_type": "application/pdf"}
    detail = officer_client.get(f"/admin/partydocument/details/?id={doc.pk}").get_data(as_text=True)
    url = f"/admin/partydocument/api/file/?id={proxy.grid_id}&amp;coll=attachments"
    assert url in detail
    r = officer_client.get(url.replace("&amp;", "&"))
    assert r.status_code == 200 and r.data.startswith(b"%PDF-1.7")
    assert "attachment" in r.headers["Content-Disposition"]
    factories.user("canbo_b", world.commune_b, "officer")
    other = login("canbo_b")
    assert other.get(url.replace("&amp;", "&")).status_code == 404


@pytest.mark.parametrize("name,body,message", [
    ("bao-cao.pdf", b"MZ\x90\x00 not a pdf", "không được chấp nhận"),
    ("macro.xlsm", b"PK\x03\x04xxxx", "không được chấp nhận"),
    ("anh.png", b"%PDF-1.4 renamed", "không được chấp nhận"),
    ("lon.pdf", b"%PDF-" + b"0" * 200 * 1024, "lớn hơn 100 KB"),
])
def test_bad_attachments_rejected_at_field(officer_client, world, monkeypatch, name, body, message):
    # a 100 KB limit for the test: the test client spools bodies over 500 KB to temp files it never closes
    monkeypatch.setattr(party_work, "ATTACHMENT_MAX_BYTES", 100 * 1024)
    r = _create(officer_client, world.commune_a, [(name, body)])
    assert r.status_code == 200 and message in r.get_data(as_text=True)
    assert PartyDocument.objects.count() == 0


def test_roll_call_records_absence_with_reason(officer_client, world):
    extra = factories.member(world.cell_a, "Lê Văn Cường")
    meeting = Meeting(organisation=world.cell_a, held_on=dt.datetime(2026, 11, 10), topic="Sinh hoạt tháng 11")
    meeting.save()
    path = f"/admin/meeting/attendance/?id={meeting.pk}"
    page = officer_client.get(path).get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Lê Văn Cường" in page and "Trần Thị Bình" not in page
    token = csrf_token(officer_client, path)
    r = officer_client.post(path, data={"csrf_token": token, f"status_{extra.pk}": "excused"})
    assert r.status_code == 200 and "Vắng có lý do phải ghi lý do: Lê Văn Cường" in r.get_data(as_text=True)
    assert Meeting.objects.get().member_count == 0  # nothing saved
    r = officer_client.post(path, data={"csrf_token": token, f"status_{world.member_a.pk}": "present",
                                        f"status_{extra.pk}": "excused", f"reason_{extra.pk}": "Ốm"})
    assert r.status_code == 302
    meeting.reload()
    assert (meeting.present_count, meeting.member_count, meeting.excused_count, meeting.unexcused_count) == (1, 2, 1, 0)
    assert [(a.member_name, a.present, a.absence_kind, a.absence_reason) for a in meeting.attendance if not a.present] == [
        ("Lê Văn Cường", False, "excused", "Ốm")]


def test_roll_call_is_of_party_members_only_and_counts_unexcused(officer_client, world):
    outsider = factories.member(world.cell_a, "Phạm Quần Chúng", is_party_member=False)
    absent = factories.member(world.cell_a, "Đỗ Văn Vắng")
    meeting = Meeting(organisation=world.cell_a, held_on=dt.datetime(2026, 11, 10), topic="Sinh hoạt tháng 11")
    meeting.save()
    path = f"/admin/meeting/attendance/?id={meeting.pk}"
    page = officer_client.get(path).get_data(as_text=True)
    assert "Đỗ Văn Vắng" in page and "Phạm Quần Chúng" not in page
    r = officer_client.post(path, data={"csrf_token": csrf_token(officer_client, path),
                                        f"status_{absent.pk}": "unexcused", f"status_{outsider.pk}": "present"})
    assert r.status_code == 302
    meeting.reload()
    assert (meeting.member_count, meeting.present_count, meeting.unexcused_count) == (2, 1, 1)
    assert outsider.pk not in [a.member.pk for a in meeting.attendance]
    detail = officer_client.get(f"/admin/meeting/details/?id={meeting.pk}").get_data(as_text=True)
    assert "Đỗ Văn Vắng: vắng không lý do" in detail


def test_roll_call_of_foreign_meeting_is_404(officer_client, world):
    meeting = Meeting(organisation=world.cell_b, held_on=dt.datetime(2026, 11, 10), topic="Họp thôn Đông")
    meeting.save()
    assert officer_client.get(f"/admin/meeting/attendance/?id={meeting.pk}").status_code == 404


def test_roll_call_is_audited(officer_client, world):
    from models import AuditEntry

    meeting = Meeting(organisation=world.cell_a, held_on=dt.datetime(2026, 11, 10), topic="Sinh hoạt")
    meeting.save()
    path = f"/admin/meeting/attendance/?id={meeting.pk}"
    officer_client.post(path, data={"csrf_token": csrf_token(officer_client, path), f"status_{world.member_a.pk}": "present"})
    entry = AuditEntry.objects(action="update", record_ids=str(meeting.pk)).first()
    assert entry is not None and entry.username == "canbo_a" and entry.detail == "Điểm danh"
