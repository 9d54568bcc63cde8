"""The month-end reports sent upward (cell meetings and resolution study; the handbook proposal
list): the study figures in the snapshot and its download, and the district's tracker saying
"sent, then changed" with the difference (every date frozen with time-machine)."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl

from models import HandbookProposal, Meeting, StudyCampaign, User
from services import handbook, month_figures, party_study, records, submissions, tracker
from tests import factories, reporting
from tests.conftest import csrf_token

clock, district, at = reporting.clock, reporting.district, reporting.at  # the shared fixtures

NOV = dt.date(2026, 11, 28)
BASE = "/admin/bao-cao-len-cap-tren/"


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _campaign(org, title: str, start: dt.datetime, end: dt.datetime) -> StudyCampaign:
    c = StudyCampaign(organisation=org, title=title, starts_on=start, ends_on=end)
    c.save()
    return c


def _campaigns(world):
    """The district's campaign of November (the communes take part), one of October (not in
    November's report) and commune B's own (not in commune A's)."""
    nov = _campaign(world.district, "Nghị quyết 57-NQ/TW", dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 30))
    _campaign(world.district, "Chỉ thị tháng 10", dt.datetime(2026, 10, 1), dt.datetime(2026, 10, 31))
    own_b = _campaign(world.commune_b, "Nghị quyết Đảng bộ xã Bình Minh", dt.datetime(2026, 11, 5),
                      dt.datetime(2026, 12, 5))
    return nov, own_b


def test_the_meetings_snapshot_and_download_carry_the_months_study(district, clock) -> None:
    """Ensure that the month-end report freezes, per campaign of the month the unit takes part
    in, how many members must study and how many have, and prints them in the file as sent."""
    nov, own_b = _campaigns(district)
    factories.member(district.cell_a, "Lê Văn Cường")
    clock.move_to(at(28))
    party_study.record_by_hand(nov, [district.member_a.pk], NOV, _user("canbo_a"))
    sub = submissions.send(district.commune_a, _user("canbo_a"), "meetings", "2026-11", today=NOV)
    assert sub.snapshot["figures"]["study"] == [
        {"id": str(nov.pk), "title": "Nghị quyết 57-NQ/TW", "expected": 2, "studied": 1}]
    book = openpyxl.load_workbook(io.BytesIO(bytes(sub.file)))
    assert "Học tập nghị quyết" in book.sheetnames
    cells = [[c for c in row] for row in book["Học tập nghị quyết"].iter_rows(values_only=True)]
    row = next(r for r in cells if r[1] == "Nghị quyết 57-NQ/TW")
    assert row[3:7] == [2, 1, 1, "50,0%"]
    assert not any("Chỉ thị tháng 10" in str(c) or "Bình Minh" in str(c) for r in cells for c in r)
    assert sub.snapshot["sheets"]["Học tập nghị quyết"] == [["" if v is None else v for v in r] for r in cells]
    b = submissions.send(district.commune_b, _user("canbo_b"), "meetings", "2026-11", today=NOV)
    assert [s["title"] for s in b.snapshot["figures"]["study"]] == ["Nghị quyết 57-NQ/TW", "Nghị quyết Đảng bộ xã Bình Minh"]


def test_tracker_says_meetings_report_changed_since_sent_with_the_difference(district, clock) -> None:
    nov, own_b = _campaigns(district)
    clock.move_to(at(28))
    for unit, officer in ((district.commune_a, "canbo_a"), (district.commune_b, "canbo_b")):
        submissions.send(unit, _user(officer), "meetings", "2026-11", today=NOV)
    boss = _user("huyen")
    t = tracker.tracker(district.district, boss, "meetings", "2026-11", NOV)
    assert [(r.state, r.differences) for r in t.rows] == [("sent", []), ("sent", [])]  # the same figures both sides
    Meeting(organisation=district.cell_a, held_on=dt.datetime(2026, 11, 20), topic="Sinh hoạt tháng 11").save()
    party_study.record_by_hand(nov, [district.member_a.pk], NOV, _user("canbo_a"))
    party_study.record_by_hand(own_b, [district.member_b.pk], NOV, _user("canbo_b"))
    t = tracker.tracker(district.district, boss, "meetings", "2026-11", NOV)
    a, b = t.rows
    assert a.state == "changed" and a.differences == ["chi bộ đã sinh hoạt thường kỳ: 0 → 1",
                                                      "đã học tập «Nghị quyết 57-NQ/TW»: 0 → 1"]
    assert b.state == "changed" and b.differences == ["đã học tập «Nghị quyết Đảng bộ xã Bình Minh»: 0 → 1"]
    assert [c.value(a) for c in tracker.COLUMNS if c.key == "change"] == ["; ".join(a.differences)]
    assert tracker.figure_differences(a.latest, boss, NOV) == a.differences  # the report's page says the same


def test_tracker_says_proposal_list_changed_since_sent_with_the_difference(district, clock) -> None:
    clock.move_to(at(28))
    officer = _user("canbo_a")
    handbook.add(district.member_a, "delete", "Chuyển công tác", officer)
    factories.member(district.cell_a, "Lê Văn Cường")  # a new member: proposed for an account by the rules
    sub = submissions.send(district.commune_a, officer, "proposals", "2026-11", today=NOV)
    assert sub.snapshot["figures"] == {"proposals": 3, "create": 2, "delete": 1}
    assert sub.snapshot["figures"]["proposals"] == len(handbook.rows(handbook.proposals(district.commune_a, "2026-11", officer)))
    boss = _user("huyen")
    t = tracker.tracker(district.district, boss, "proposals", "2026-11", NOV)
    assert (t.rows[0].state, t.rows[0].differences) == ("sent", [])
    for p in HandbookProposal.objects(member=district.member_a.pk):  # put in the bin after the list was sent
        records.bin(p, by=officer)
    t = tracker.tracker(district.district, boss, "proposals", "2026-11", NOV)
    assert t.rows[0].state == "changed"
    assert t.rows[0].differences == ["đề nghị: 3 → 1", "đề nghị tạo tài khoản: 2 → 1", "đề nghị xóa tài khoản: 1 → 0"]
    assert tracker.figure_differences(t.rows[0].latest, boss, NOV) == t.rows[0].differences


def test_a_snapshot_sent_before_a_figure_existed_is_not_said_to_differ(district, clock) -> None:
    assert month_figures.differences("meetings", {"cells": 1, "held": 0}, {"cells": 1, "held": 0, "study": [
        {"id": "x", "title": "Nghị quyết", "expected": 3, "studied": 1}]}) == []
    assert month_figures.differences("proposals", {"proposals": 2}, {"proposals": 2, "create": 2, "delete": 0}) == []


def test_tracker_page_and_report_page_show_the_change(district, clock, login) -> None:
    """Ensure that the district's tracker page marks the commune "sent, then changed" with the
    difference, and the report's page says what the figures are now."""
    nov, _ = _campaigns(district)
    clock.move_to(at(28))
    a = login("canbo_a")
    token = csrf_token(a, f"{BASE}gui/?kind=meetings&period=2026-11")
    assert a.post(f"{BASE}gui/", data={"kind": "meetings", "period": "2026-11", "csrf_token": token}).status_code == 302
    sub_id = submissions.latest(district.commune_a.pk, "meetings", "2026-11").pk
    details = a.get(f"{BASE}xem/{sub_id}/").get_data(as_text=True)
    assert "«Nghị quyết 57-NQ/TW» 0/1 đảng viên đã học" in details and "không khác số liệu đã gửi" in details
    party_study.record_by_hand(nov, [district.member_a.pk], NOV, _user("canbo_a"))
    page = login("huyen").get(f"{BASE}theo-doi/?kind=meetings&period=11/2026").get_data(as_text=True)
    row = re.search(r'data-unit="Đảng bộ xã An Hòa" data-state="(\w+)".*?data-col="change">(.*?)</td>', page, re.S)
    assert row and row.group(1) == "changed" and "đã học tập «Nghị quyết 57-NQ/TW»: 0 → 1" in row.group(2)
    details = login("huyen").get(f"{BASE}xem/{sub_id}/").get_data(as_text=True)
    assert "đã học tập «Nghị quyết 57-NQ/TW»: 0 → 1" in details


def test_a_member_who_studied_before_moving_counts_the_same_from_the_unit_and_from_above(district, clock) -> None:
    """Ensure that a member who studied in commune B and then moved to commune A counts as
    studied in A's snapshot and in the district's live figures for A alike (no false change)."""
    from services import members

    nov, _ = _campaigns(district)
    clock.move_to(at(10))
    party_study.record_by_hand(nov, [district.member_b.pk], dt.date(2026, 11, 10), _user("canbo_b"))
    moved = type(district.member_b).objects.get(pk=district.member_b.pk)
    moved.organisation = district.cell_a
    members.save(moved, audited=False)
    clock.move_to(at(28))
    sub = submissions.send(district.commune_a, _user("canbo_a"), "meetings", "2026-11", today=NOV)
    assert [(s["expected"], s["studied"]) for s in sub.snapshot["figures"]["study"]] == [(2, 1)]
    t = tracker.tracker(district.district, _user("huyen"), "meetings", "2026-11", NOV)
    assert (t.rows[0].state, t.rows[0].differences) == ("sent", [])
