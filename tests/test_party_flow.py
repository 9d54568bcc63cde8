"""Ensure that the party work of the platform regulation works through the screens:
documents sent down and up the tree with per-recipient state, classified entries,
the monthly meeting report, resolution study from a roll call, tasks and the calendar."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from models import AuditEntry, Meeting, PartyDocument, StudyCampaign, StudyRecord, Task, normalize
from models.party_work import Attendance, Recipient
from tests import factories
from tests.conftest import csrf_token

TODAY = normalize.today()


def _post(client, path, data, page=None, **kw):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or path)}, **kw)


def _sheet(client, url, index=0):
    """The rows of one sheet of a downloaded xlsx, as lists of values."""
    r = client.get(url)
    try:
        assert r.status_code == 200, r.status_code
        book = openpyxl.load_workbook(io.BytesIO(r.data))
    finally:
        r.close()
    return book.worksheets[index]


@pytest.fixture
def commune_c(world):
    return factories.org("XC", "Đảng bộ xã Cổ Am", world.district, "committee")


@pytest.fixture
def district_client(world, login):
    factories.user("canbo_huyen", world.district, "officer")
    return login("canbo_huyen")


@pytest.fixture
def b_client(world, login):
    factories.user("canbo_b", world.commune_b, "officer")
    return login("canbo_b")


def _resolution(org, **kw):
    kw = {"classification": "thuong", "number": "05-NQ/HU", "title": "Nghị quyết về chuyển đổi số", **kw}
    doc = PartyDocument(doc_type="Nghị quyết", issued_on=dt.datetime(2026, 11, 2), organisation=org, **kw)
    doc.save()
    return doc


# --- documents up and down the tree --------------------------------------------------------

def test_committee_sends_to_all_its_communes_one_receives_sibling_sees_nothing(
        world, commune_c, district_client, officer_client, b_client):
    doc = _resolution(world.district)
    path = f"/admin/partydocument/send/?id={doc.pk}"
    page = district_client.get(path).get_data(as_text=True)
    assert "Gửi tất cả 3 đơn vị trực thuộc" in page
    r = _post(district_client, path, {"all_below": "1"})
    assert r.status_code == 302
    doc.reload()
    assert sorted(r.org_name for r in doc.recipients) == ["Đảng bộ xã An Hòa", "Đảng bộ xã Bình Minh", "Đảng bộ xã Cổ Am"]
    # commune A sees it in "Văn bản đến" and acknowledges receipt
    listing = officer_client.get("/admin/van-ban-den/").get_data(as_text=True)
    assert "05-NQ/HU" in listing and "Chưa nhận" in listing
    token = csrf_token(officer_client, "/admin/van-ban-den/")
    r = officer_client.post("/admin/van-ban-den/receive/", data={"id": str(doc.pk), "csrf_token": token})
    assert r.status_code == 302
    doc.reload()
    state = {r.org_name: (r.received_on is not None, r.read_on is not None) for r in doc.recipients}
    assert state == {"Đảng bộ xã An Hòa": (True, False), "Đảng bộ xã Bình Minh": (False, False),
                     "Đảng bộ xã Cổ Am": (False, False)}
    assert officer_client.get(f"/admin/van-ban-den/details/?id={doc.pk}").status_code == 200
    doc.reload()
    assert doc.recipient(world.commune_a.pk).read_on is not None
    # the issuing unit sees who received it
    detail = district_client.get(f"/admin/partydocument/details/?id={doc.pk}").get_data(as_text=True)
    assert "Đảng bộ xã An Hòa" in detail and "chưa nhận" in detail
    # the district's document is not in commune A's outgoing list (not issued there)
    assert "05-NQ/HU" not in officer_client.get("/admin/partydocument/").get_data(as_text=True)


def test_lower_unit_sees_only_what_was_sent_to_it(world, district_client, officer_client, b_client):
    doc = _resolution(world.district)
    r = _post(district_client, f"/admin/partydocument/send/?id={doc.pk}", {"to": str(world.commune_a.pk)})
    assert r.status_code == 302
    assert "05-NQ/HU" in officer_client.get("/admin/van-ban-den/").get_data(as_text=True)
    assert "05-NQ/HU" not in b_client.get("/admin/van-ban-den/").get_data(as_text=True)
    assert b_client.get(f"/admin/van-ban-den/details/?id={doc.pk}").status_code == 404
    token = csrf_token(b_client, "/admin/van-ban-den/")
    assert b_client.post("/admin/van-ban-den/receive/", data={"id": str(doc.pk), "csrf_token": token}).status_code == 404
    # a unit that is not below the issuer cannot be chosen
    r = _post(district_client, f"/admin/partydocument/send/?id={doc.pk}", {"to": str(world.cell_a.pk)})
    assert r.status_code == 400


def test_commune_sends_report_up_to_the_district(world, district_client, officer_client):
    doc = _resolution(world.commune_a, number="12-BC/ĐU", title="Báo cáo sinh hoạt tháng 11")
    page = officer_client.get(f"/admin/partydocument/send/?id={doc.pk}").get_data(as_text=True)
    assert "(cấp trên)" in page
    r = _post(officer_client, f"/admin/partydocument/send/?id={doc.pk}", {"to": str(world.district.pk)})
    assert r.status_code == 302
    assert "12-BC/ĐU" in district_client.get("/admin/van-ban-den/").get_data(as_text=True)


def test_classified_document_refuses_attachment_with_explanation(officer_client, world):
    path = "/admin/partydocument/new/"
    data = {"number": "01-NQ/ĐU", "title": "Nghị quyết mật", "doc_type": "Nghị quyết", "issued_on": "01/11/2026",
            "classification": "mat", "direction": "issued", "organisation": str(world.commune_a.pk),
            "csrf_token": csrf_token(officer_client, path), "upload": [(io.BytesIO(b"%PDF-1.7 x"), "mat.pdf")]}
    r = officer_client.post(path, data=data, content_type="multipart/form-data", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "Không nhận tệp đính kèm" in page and "Luật Bảo vệ bí mật nhà nước" in page
    assert PartyDocument.objects.count() == 0
    # registration data alone is accepted
    data.pop("upload")
    data["csrf_token"] = csrf_token(officer_client, path)
    r = officer_client.post(path, data=data, content_type="multipart/form-data")
    assert r.status_code == 302
    assert PartyDocument.objects.get().classification == "mat"


def test_classified_entry_hidden_from_viewers_and_every_opening_audited(world, officer_client, login, district_client):
    doc = _resolution(world.commune_a, classification="mat", number="02-NQ/ĐU")
    factories.user("xem_a", world.commune_a, "viewer")
    viewer = login("xem_a")
    assert "02-NQ/ĐU" not in viewer.get("/admin/partydocument/").get_data(as_text=True)
    assert viewer.get(f"/admin/partydocument/details/?id={doc.pk}").status_code == 404
    assert AuditEntry.objects(action="denied", record_ids=str(doc.pk), username="xem_a").count() >= 1
    # the district officer is above the issuer but not an addressee: not shown either
    assert "02-NQ/ĐU" not in district_client.get("/admin/partydocument/").get_data(as_text=True)
    assert district_client.get(f"/admin/partydocument/details/?id={doc.pk}").status_code == 404
    # the issuing unit's officer opens it: audited each time
    for _ in range(2):
        assert officer_client.get(f"/admin/partydocument/details/?id={doc.pk}").status_code == 200
    assert AuditEntry.objects(action="view", record_ids=str(doc.pk), username="canbo_a").count() == 2
    # sent up: now the district, an addressee, may open it (audited)
    r = _post(officer_client, f"/admin/partydocument/send/?id={doc.pk}", {"to": str(world.district.pk)})
    assert r.status_code == 302
    assert district_client.get(f"/admin/van-ban-den/details/?id={doc.pk}").status_code == 200
    assert AuditEntry.objects(action="view", record_ids=str(doc.pk), username="canbo_huyen").count() == 1


# --- meetings report --------------------------------------------------------------------------

def _meeting(cell, day, kind="regular", present=(), absent=()):
    att = [Attendance(member=m, present=True) for m in present] + \
          [Attendance(member=m, present=False, absence_kind="excused", absence_reason="Ốm") for m in absent]
    m = Meeting(organisation=cell, held_on=day, kind=kind, topic="Sinh hoạt", attendance=att)
    m.save()
    return m


def test_monthly_meeting_report_flags_the_cell_that_did_not_meet(world, officer_client, district_client):
    cell2 = factories.org("XA-2", "Chi bộ thôn 2", world.commune_a)
    extra = factories.member(world.cell_a, "Lê Văn Cường")
    _meeting(world.cell_a, dt.datetime(2026, 10, 8), present=[world.member_a], absent=[extra])
    _meeting(world.cell_a, dt.datetime(2026, 10, 20), kind="thematic", present=[world.member_a])
    _meeting(cell2, dt.datetime(2026, 9, 30))  # last month: does not count
    page = officer_client.get("/admin/bao-cao-cong-tac-dang/sinh-hoat/?month=2026-10").get_data(as_text=True)
    assert "Chi bộ thôn 1" in page and "08/10/2026" in page and "50,0%" in page
    assert page.count('class="table-danger no-meeting"') == 1 and "Chưa sinh hoạt" in page
    ws = _sheet(officer_client, f"/admin/bao-cao-cong-tac-dang/sinh-hoat/xlsx/?org={world.commune_a.pk}&month=2026-10")
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in rows for v in row if v is not None]
    assert "BÁO CÁO KẾT QUẢ SINH HOẠT CHI BỘ" in flat and "NGƯỜI LẬP BIỂU" in flat and "Tháng 10 năm 2026" in flat
    cell1 = next(row for row in rows if row[1] == "Chi bộ thôn 1")
    assert cell1[2:9] == ["Đã sinh hoạt", "08/10/2026", 2, 1, "50,0%", 1, 0] and cell1[9] == 1
    cell2_row = next(i for i, row in enumerate(rows, start=1) if row[1] == "Chi bộ thôn 2")
    assert rows[cell2_row - 1][2] == "Chưa sinh hoạt"
    assert ws.cell(cell2_row, 2).fill.fgColor.rgb.endswith("FCE4D6")  # highlighted
    assert ws.cell(cell2_row - 1, 2).fill.fgColor.rgb in (None, "00000000")
    # the district sees which commune is late (the month is over)
    page = district_client.get("/admin/bao-cao-cong-tac-dang/sinh-hoat/?month=2026-10").get_data(as_text=True)
    assert 'data-state="Chậm"' in page and page.count('data-state="Chậm"') == 2  # A (thôn 2) and B (thôn Đông)
    ws = _sheet(district_client, f"/admin/bao-cao-cong-tac-dang/sinh-hoat/xlsx/?org={world.district.pk}&month=2026-10")
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["Chi bộ thôn 1", "Đảng bộ xã An Hòa", "Đã sinh hoạt"] in [row[1:4] for row in rows]
    ws = _sheet(district_client, f"/admin/bao-cao-cong-tac-dang/sinh-hoat/xlsx/?org={world.district.pk}&month=2026-10", 1)
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["Đảng bộ xã An Hòa", 2, 1, 1, "Chậm"] in [row[1:6] for row in rows]


def test_meeting_report_of_a_foreign_unit_is_404(officer_client, world):
    r = officer_client.get(f"/admin/bao-cao-cong-tac-dang/sinh-hoat/?org={world.commune_b.pk}&month=2026-10")
    assert r.status_code == 404
    assert officer_client.get("/admin/bao-cao-cong-tac-dang/sinh-hoat/?month=2026-13").status_code == 400


def test_dashboard_meeting_deadline_links_to_the_report(officer_client):
    page = officer_client.get("/admin/").get_data(as_text=True)
    assert "/admin/bao-cao-cong-tac-dang/sinh-hoat/?org=" in page


def test_committee_only_meeting_kinds(officer_client, world):
    path = "/admin/meeting/new/"
    data = {"organisation": str(world.cell_a.pk), "held_on": "05/11/2026", "kind": "standing", "topic": "Họp BTV",
            "csrf_token": csrf_token(officer_client, path)}
    page = officer_client.post(path, data=data, follow_redirects=True).get_data(as_text=True)
    assert "chỉ có ở đảng bộ" in page and Meeting.objects.count() == 0
    data.update(organisation=str(world.commune_a.pk), csrf_token=csrf_token(officer_client, path),
                agenda="1. Kiểm điểm\n2. Phương hướng", discussion="Ý kiến A\nÝ kiến B")
    assert officer_client.post(path, data=data).status_code == 302
    m = Meeting.objects.get()
    assert m.kind == "standing" and m.agenda == "1. Kiểm điểm\n2. Phương hướng"
    detail = officer_client.get(f"/admin/meeting/details/?id={m.pk}").get_data(as_text=True)
    assert "1. Kiểm điểm<br>2. Phương hướng" in detail


# --- resolution study ---------------------------------------------------------------------------

def _campaign(org, doc=None):
    c = StudyCampaign(organisation=org, document=doc, title="Học tập Nghị quyết 05", starts_on=dt.datetime(2026, 10, 1),
                      ends_on=dt.datetime(2026, 12, 31))
    c.save()
    return c


def test_study_recorded_from_a_roll_call_in_one_click(world, officer_client):
    campaign = _campaign(world.district, _resolution(world.district))
    absent = factories.member(world.cell_a, "Lê Văn Cường")
    meeting = _meeting(world.cell_a, dt.datetime(2026, 11, 8), present=[world.member_a], absent=[absent])
    detail = officer_client.get(f"/admin/meeting/details/?id={meeting.pk}").get_data(as_text=True)
    assert "Ghi nhận người có mặt đã học tập" in detail and "Học tập Nghị quyết 05" in detail
    page = f"/admin/meeting/details/?id={meeting.pk}"
    r = _post(officer_client, "/admin/meeting/study/", {"id": str(meeting.pk), "campaign": str(campaign.pk)}, page)
    assert r.status_code == 302
    recs = list(StudyRecord.objects)
    assert [(x.member_name, x.way, x.meeting.pk, x.studied_on) for x in recs] == [
        ("Nguyễn Văn An", "meeting", meeting.pk, dt.datetime(2026, 11, 8))]
    # a second click records nobody twice
    _post(officer_client, "/admin/meeting/study/", {"id": str(meeting.pk), "campaign": str(campaign.pk)}, page)
    assert StudyRecord.objects.count() == 1
    page = officer_client.get(f"/admin/studycampaign/progress/?id={campaign.pk}").get_data(as_text=True)
    assert "Đã học tập 1/2" in page and "Lê Văn Cường" in page.split("chưa học tập")[-1]
    # by hand: the absent member made it up
    r = _post(officer_client, f"/admin/studycampaign/progress/?id={campaign.pk}",
              {"member": str(absent.pk), "studied_on": "20/11/2026"})
    assert r.status_code == 302
    assert StudyRecord.objects(member=absent).get().way == "individual"
    ws = _sheet(officer_client, f"/admin/studycampaign/export/?id={campaign.pk}")
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["Chi bộ thôn 1", 2, 2, 0, "100,0%"] in [row[1:6] for row in values]


def test_study_progress_per_committee_for_the_district(world, district_client, officer_client):
    campaign = _campaign(world.district)
    StudyRecord(campaign=campaign, member=world.member_b, studied_on=dt.datetime(2026, 11, 3)).save()
    page = district_client.get(f"/admin/studycampaign/progress/?id={campaign.pk}").get_data(as_text=True)
    assert "Đã học tập 1/2" in page and "Đảng bộ xã Bình Minh" in page
    # commune A follows only its own members
    page = officer_client.get(f"/admin/studycampaign/progress/?id={campaign.pk}").get_data(as_text=True)
    assert "Đã học tập 0/1" in page and "Trần Thị Bình" not in page
    # and may not edit the district's campaign
    assert officer_client.get(f"/admin/studycampaign/edit/?id={campaign.pk}").status_code == 403


# --- tasks -----------------------------------------------------------------------------------

def test_overdue_task_on_the_dashboard_and_in_the_list(world, officer_client, b_client):
    path = "/admin/task/new/"
    late = (TODAY - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    r = _post(officer_client, path, {"organisation": str(world.cell_a.pk), "member": str(world.member_a.pk),
                                     "assigned_by": str(world.commune_a.pk),
                                     "title": "Rà soát tài khoản mạng xã hội", "due_on": late, "status": "doing"})
    assert r.status_code == 302, r.get_data(as_text=True)[-800:]
    task = Task.objects.get()
    assert task.organisation.pk == world.cell_a.pk and task.is_overdue()
    page = officer_client.get("/admin/").get_data(as_text=True)
    assert "Nhiệm vụ quá hạn: 1" in page and "Rà soát tài khoản mạng xã hội" in page
    assert "Nhiệm vụ quá hạn" not in b_client.get("/admin/").get_data(as_text=True)
    listing = officer_client.get(f"/admin/task/?member={world.member_a.pk}").get_data(as_text=True)
    assert "Quá hạn" in listing and f"/admin/task/?member={world.member_a.pk}" in listing
    other = factories.member(world.cell_a, "Lê Văn Cường")
    Task(member=other, organisation=world.cell_a, title="Việc của người khác",
         due_on=normalize.to_datetime(TODAY + dt.timedelta(days=30))).save()
    assert "Việc của người khác" not in officer_client.get(f"/admin/task/?member={world.member_a.pk}").get_data(as_text=True)
    assert "Việc của người khác" in officer_client.get("/admin/task/").get_data(as_text=True)
    task.status = "done"
    task.save()
    assert "Nhiệm vụ quá hạn" not in officer_client.get("/admin/").get_data(as_text=True)


def test_monthly_task_report(world, officer_client):
    due = dt.datetime(2026, 10, 15)
    Task(organisation=world.cell_a, title="Đúng hạn", due_on=due, status="done", completed_on=dt.datetime(2026, 10, 14)).save()
    Task(organisation=world.cell_a, title="Trễ", due_on=due, status="done", completed_on=dt.datetime(2026, 10, 20)).save()
    Task(member=world.member_a, organisation=world.cell_a, title="Quá hạn", due_on=due, status="todo").save()
    Task(organisation=world.cell_a, title="Tháng khác", due_on=dt.datetime(2026, 11, 15)).save()
    ws = _sheet(officer_client, "/admin/bao-cao-cong-tac-dang/nhiem-vu/xlsx/?month=2026-10")
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["Chi bộ thôn 1", 3, 1, 1, 1, 0] in [row[1:7] for row in rows]
    page = officer_client.get("/admin/bao-cao-cong-tac-dang/nhiem-vu/?month=2026-10").get_data(as_text=True)
    assert "Chi bộ thôn 1" in page


def test_task_deadline_before_start_refused(officer_client, world):
    r = _post(officer_client, "/admin/task/new/", {"organisation": str(world.cell_a.pk), "title": "X",
                                                    "starts_on": "10/11/2026", "due_on": "01/11/2026", "status": "todo"},
              follow_redirects=True)
    assert "Hạn hoàn thành không được trước ngày bắt đầu" in r.get_data(as_text=True) and Task.objects.count() == 0


# --- calendar, lists, bin, backup -------------------------------------------------------------

def test_calendar_shows_meetings_and_deadlines_of_the_scope(world, officer_client):
    mine = _meeting(world.cell_a, dt.datetime(2026, 10, 8))
    _meeting(world.cell_b, dt.datetime(2026, 10, 9))
    Task(organisation=world.cell_a, title="Nộp báo cáo quý", due_on=dt.datetime(2026, 10, 15)).save()
    page = officer_client.get("/admin/lich-cong-tac/?month=2026-10").get_data(as_text=True)
    assert f"/admin/meeting/details/?id={mine.pk}" in page and "Chi bộ thôn Đông" not in page
    assert "Nộp báo cáo quý" in page and "Hạn báo cáo kết quả sinh hoạt" in page
    assert 'data-day="31"' in page


@pytest.mark.parametrize("path", ["/admin/meeting/", "/admin/task/", "/admin/partydocument/", "/admin/van-ban-den/",
                                  "/admin/studycampaign/"])
def test_party_list_round_trips_do_not_grow(admin_client, world, path):
    from tests.budget import Budget
    from tests.test_round_trips import Reads

    for i in range(60):
        who = world.member_a if i % 2 else world.member_b
        _meeting(who.organisation, dt.datetime(2026, 10, 1) + dt.timedelta(days=i % 28), present=[who])
        Task(member=who, organisation=who.organisation, title=f"Việc {i}", due_on=dt.datetime(2026, 10, 1)).save()
        doc = _resolution(world.district, number=f"{i}-NQ/HU")
        doc.recipients = [Recipient(organisation=world.district), Recipient(organisation=world.commune_a)]
        doc.save()
        _campaign(world.commune_a if i % 2 else world.district, doc)
    costs = {}
    with Budget() as budget:
        calls = Reads(budget)
        for size in (20, 100):
            calls.clear()
            r = admin_client.get(f"{path}?page_size={size}")
            assert r.status_code == 200 and "Việc 5" in r.get_data(as_text=True) if path == "/admin/task/" else True
            costs[size] = list(calls)
    assert len(costs[20]) == len(costs[100]), costs
    assert "members.find" not in costs[100], costs


def test_tasks_and_campaigns_are_binnable_and_backed_up(app, world, officer_client):
    from mongoengine import get_db

    from services import backup

    task = Task(organisation=world.cell_a, title="Thu đảng phí", due_on=dt.datetime(2026, 10, 15))
    task.save()
    r = _post(officer_client, "/admin/task/delete/", {"id": str(task.pk), "url": "/admin/task/"}, "/admin/task/")
    assert r.status_code == 302
    assert Task.objects.get().deleted_at is not None
    assert "Thu đảng phí" in officer_client.get("/admin/trash/?c=task").get_data(as_text=True)
    campaign = _campaign(world.commune_a)
    StudyRecord(campaign=campaign, member=world.member_a, studied_on=dt.datetime(2026, 11, 3)).save()
    out = io.BytesIO()
    with app.app_context():
        counts = backup.dump(get_db(), out)
    assert counts["tasks"] == 1 and counts["study_campaigns"] == 1 and counts["study_records"] == 1


def test_monthly_evaluation_note_on_a_task(world, officer_client, b_client):
    task = Task(organisation=world.cell_a, title="Thu đảng phí", due_on=dt.datetime(2026, 10, 15))
    task.save()
    page = f"/admin/task/details/?id={task.pk}"
    assert "Lưu nhận xét tháng" in officer_client.get(page).get_data(as_text=True)
    r = _post(officer_client, "/admin/task/evaluate/", {"id": str(task.pk), "month": "2026-10", "note": "Chậm tiến độ"}, page)
    assert r.status_code == 302
    _post(officer_client, "/admin/task/evaluate/", {"id": str(task.pk), "month": "2026-10", "note": "Đã khắc phục"}, page)
    _post(officer_client, "/admin/task/evaluate/", {"id": str(task.pk), "month": "2026-13", "note": "Sai"}, page)
    task.reload()
    assert [(e.month, e.note) for e in task.evaluations] == [("2026-10", "Đã khắc phục")]
    assert "10/2026</strong>: Đã khắc phục" in officer_client.get(page).get_data(as_text=True)
    token = csrf_token(b_client, "/admin/task/")
    assert b_client.post("/admin/task/evaluate/", data={"id": str(task.pk), "month": "2026-10", "note": "x",
                                                        "csrf_token": token}).status_code == 404


def test_migrate_command_counts_old_roll_calls_and_converts_studied_by(app, runner, world):
    meeting = _meeting(world.cell_a, dt.datetime(2026, 9, 8), present=[world.member_a])
    outsider = factories.member(world.cell_a, "Phạm Quần Chúng", is_party_member=False)
    Meeting._get_collection().update_one({"_id": meeting.pk}, {
        "$unset": {"member_count": "", "present_count": ""},
        "$push": {"attendance": {"member": outsider.pk, "member_name": outsider.full_name, "present": True}}})
    doc = _resolution(world.commune_a)
    PartyDocument._get_collection().update_one({"_id": doc.pk}, {"$set": {"studied_by": [world.member_a.pk]}})
    result = runner.invoke(args=["party-work", "migrate"])
    assert result.exit_code == 0, result.output
    assert "Đã cập nhật 1 cuộc họp; tạo 1 đợt học tập với 1 lượt học tập." in result.output
    assert "Đã bỏ 1 người không phải đảng viên" in result.output
    meeting.reload()
    assert (meeting.member_count, meeting.present_count) == (1, 1)
    assert "studied_by" not in PartyDocument._get_collection().find_one({"_id": doc.pk})
    assert StudyRecord.objects.get().member.pk == world.member_a.pk
    assert "tạo 0 đợt" in runner.invoke(args=["party-work", "migrate"]).output
