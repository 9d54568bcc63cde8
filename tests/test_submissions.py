"""Reports sent upward: deadlines that stay, the frozen snapshot, reopening and versions,
the quality check, and the district's tracker (every date frozen with time-machine)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import openpyxl
import pytest

from models import AuditEntry, Organisation, SocialAccount, Submission
from services import figures, restructure, submissions, tracker
from services.submissions import SubmissionError
from tests import factories, reporting
from tests.reporting import at

clock, district = reporting.clock, reporting.district  # the shared fixtures


def _user(name: str):
    from models import User

    return User.objects.get(username=name)


@pytest.mark.parametrize(("today", "badge", "state"), [
    (dt.date(2026, 11, 29), "còn 1 ngày", "open"),
    (dt.date(2026, 11, 30), "hôm nay", "open"),
    (dt.date(2026, 12, 1), "quá hạn 1 ngày", "overdue"),
    (dt.date(2026, 12, 2), "quá hạn 2 ngày", "overdue"),
])
def test_annual_deadline_is_before_1_december(district, clock, today, badge, state) -> None:
    """Ensure that the annual report is due on 30/11 and overdue from 1/12, by N days."""
    clock.move_to(at(today.day, today.month))
    annual = next(d for d in submissions.unit_deadlines(district.commune_a, today)
                  if d.kind == "annual" and d.period == "2026")
    assert (annual.badge, annual.state) == (badge, state)


def test_a_missed_deadline_stays_until_sent(district, clock) -> None:
    """Ensure that on 7/12 the unsent 2026 report is overdue, shown before next year's, and
    goes once sent; next year's report is still listed."""
    clock.move_to(at(7, 12))
    today = dt.date(2026, 12, 7)
    items = submissions.unit_deadlines(district.commune_a, today)
    annual = [d for d in items if d.kind == "annual"]
    assert [(d.period, d.badge) for d in annual] == [("2026", "quá hạn 7 ngày"), ("2027", "còn 358 ngày")]
    assert items[0].state == "overdue"
    sub = submissions.send(district.commune_a, _user("canbo_a"), "annual", "2026", today=today)
    assert sub.late and sub.version == 1
    annual = [d for d in submissions.unit_deadlines(district.commune_a, today) if d.kind == "annual"]
    assert [d.period for d in annual] == ["2027"]
    assert submissions.unit_deadlines(district.district, today) == []  # the top sends nothing upward


@pytest.mark.parametrize(("kind", "period", "due"), [
    ("annual", "2026", dt.date(2026, 11, 30)), ("meetings", "2026-02", dt.date(2026, 2, 28)),
    ("proposals", "2026-02", dt.date(2026, 2, 28)), ("proposals", "2026-11", dt.date(2026, 11, 29)),
    ("meetings", "2026-12", dt.date(2026, 12, 31)),
])
def test_due_dates(kind, period, due) -> None:
    assert submissions.due_date(kind, period) == due


def test_current_period_after_the_window(clock) -> None:
    assert submissions.current_period("proposals", dt.date(2026, 11, 30)) == "2026-12"
    assert submissions.current_period("annual", dt.date(2026, 12, 1)) == "2027"
    assert submissions.current_period("meetings", dt.date(2026, 12, 31)) == "2026-12"


def test_send_freezes_a_snapshot_downloadable_as_sent(district, clock) -> None:
    """Ensure that sending stores the figures, the rows as printed, the blocks, sender, time and
    signer, and the file itself; a later change of the register changes none of it."""
    district.commune_a.update(set__signer_name="Lê Văn Chính", set__signer_title="PHÓ BÍ THƯ", set__place="An Hòa")
    district.commune_a.reload()
    clock.move_to(at(20))
    sub = submissions.send(district.commune_a, _user("canbo_a"), "annual", "2026", today=dt.date(2026, 11, 20))
    snap = sub.snapshot
    assert snap["figures"]["people"] == 1 and snap["figures"]["accounts"] == 1 and snap["figures"]["sites"] == 1
    assert snap["block"]["organisation"] == "ĐẢNG ỦY XÃ AN HÒA" and snap["block"]["superior"] == "ĐẢNG BỘ HUYỆN VĨNH BẢO"
    assert snap["block"]["signer_name"] == "Lê Văn Chính" and sub.signer_title == "PHÓ BÍ THƯ"
    assert list(snap["rows"]["social"].values())[0][5] == "https://www.facebook.com/nguyenvanan"
    assert sub.sent_by == "canbo_a" and sub.sent_at == dt.datetime(2026, 11, 20, 3) and not sub.late
    assert hashlib.sha256(sub.file).hexdigest() == sub.file_sha256
    book = openpyxl.load_workbook(io.BytesIO(sub.file))
    assert book.sheetnames == ["Tổng hợp", "Biểu mẫu 1", "Biểu mẫu 2"]
    printed = [c for row in book["Biểu mẫu 2"].iter_rows(values_only=True) for c in row if c]
    assert "Tổng cộng: 1 tài khoản" in printed and "Lê Văn Chính" in printed
    assert snap["block"]["place_line"] == "An Hòa, ngày 20 tháng 11 năm 2026"
    assert "An Hòa, ngày 20 tháng 11 năm 2026" in snap["sheets"]["Biểu mẫu 2"][1]  # as printed
    factories.account(district.member_a, "https://www.tiktok.com/@an", platform="TikTok")
    stored = Submission.objects.get(pk=sub.pk)
    assert bytes(stored.file) == sub.file and stored.snapshot["figures"]["accounts"] == 1
    entry = AuditEntry.objects(action="submit").get()
    assert "lần 1" in entry.detail and str(sub.pk) in entry.record_ids


def test_sent_twice_is_refused_reopen_then_version_2(district, clock) -> None:
    """Ensure that a sent report cannot be sent again until reopened with a reason; both
    versions are kept, and the reopening is audited."""
    clock.move_to(at(20))
    officer = _user("canbo_a")
    first = submissions.send(district.commune_a, officer, "annual", "2026", today=dt.date(2026, 11, 20))
    with pytest.raises(SubmissionError, match="đã gửi"):
        submissions.send(district.commune_a, officer, "annual", "2026", today=dt.date(2026, 11, 20))
    with pytest.raises(SubmissionError, match="lý do"):
        submissions.reopen(first, officer, "  ")
    with pytest.raises(SubmissionError):
        submissions.reopen(first, _user("canbo_b"), "không phải của tôi")
    submissions.reopen(first, officer, "Bổ sung tài khoản TikTok")
    factories.account(district.member_a, "https://www.tiktok.com/@an", platform="TikTok")
    clock.move_to(at(25))
    second = submissions.send(district.commune_a, officer, "annual", "2026", today=dt.date(2026, 11, 25))
    assert second.version == 2 and second.snapshot["figures"]["accounts"] == 2
    versions = submissions.history(district.commune_a, officer, "annual", "2026")
    assert [(v.version, v.state) for v in versions] == [(2, "sent"), (1, "reopened")]
    assert versions[1].reopen_reason == "Bổ sung tài khoản TikTok"
    assert Submission.objects.get(pk=first.pk).snapshot["figures"]["accounts"] == 1
    assert AuditEntry.objects(action="reopen").count() == 1


def test_quality_check_lists_problems_and_needs_confirmation(district, clock) -> None:
    """Ensure that invalid or missing mandatory cells are listed with their record, that sending
    is refused without a confirmation, and that a confirmed send records it."""
    bad = SocialAccount.objects.get(pk=district.account_a.pk)
    bad.registration_phone = "12345"
    bad.save_legacy()
    clock.move_to(at(20))
    officer = _user("canbo_a")
    check = submissions.quality(district.commune_a, officer, "annual", dt.date(2026, 11, 20))
    assert check.count == 1 and check.problems[0].id == bad.pk and check.problems[0].endpoint == "socialaccount"
    assert "Sai định dạng" in check.problems[0].issues[0]
    with pytest.raises(SubmissionError, match="1 hồ sơ"):
        submissions.send(district.commune_a, officer, "annual", "2026", today=dt.date(2026, 11, 20))
    assert Submission.objects.count() == 0
    sub = submissions.send(district.commune_a, officer, "annual", "2026", confirm_quality=True,
                           today=dt.date(2026, 11, 20))
    assert sub.quality_confirmed and sub.invalid_rows == 1
    assert "xác nhận gửi kèm 1 hồ sơ có lỗi" in AuditEntry.objects(action="submit").get().detail


def test_only_the_unit_itself_sends(district, clock) -> None:
    clock.move_to(at(20))
    with pytest.raises(SubmissionError):
        submissions.send(district.commune_a, _user("huyen"), "annual", "2026")
    with pytest.raises(SubmissionError):
        submissions.send(district.commune_b, _user("canbo_a"), "annual", "2026")


def test_tracker_sent_not_yet_late_and_changed(district, clock) -> None:
    """Ensure that the district sees who sent, who has not, the lateness, and a unit whose data
    changed since it sent, with the difference."""
    clock.move_to(at(20))
    submissions.send(district.commune_a, _user("canbo_a"), "annual", "2026", today=dt.date(2026, 11, 20))
    boss = _user("huyen")
    t = tracker.tracker(district.district, boss, "annual", "2026", dt.date(2026, 11, 20))
    assert [(r.unit["name"], r.state) for r in t.rows] == [("Đảng bộ xã An Hòa", "sent"), ("Đảng bộ xã Bình Minh", "open")]
    clock.move_to(at(2, 12))
    t = tracker.tracker(district.district, boss, "annual", "2026", dt.date(2026, 12, 2))
    assert t.rows[1].state == "overdue" and t.rows[1].overdue_days == 2
    assert tracker.reminders(t) == ["Đề nghị Đảng bộ xã Bình Minh gửi báo cáo tổng số trang web, blog, tài khoản "
                                    "mạng xã hội (HD 1150-CV/HU) năm 2026 (hạn 30/11/2026, đã quá hạn 2 ngày)."]
    factories.account(district.member_a, "https://www.tiktok.com/@an", platform="TikTok")
    t = tracker.tracker(district.district, boss, "annual", "2026", dt.date(2026, 12, 2))
    assert t.rows[0].state == "changed" and t.rows[0].differences == ["tài khoản: 1 → 2"]
    a = t.rows[0]
    diff = tracker.row_differences(a.latest, boss, dt.date(2026, 12, 2))
    assert len(diff["social"].added) == 1 and not diff["social"].removed and not diff["sites"].added


def test_an_edit_that_keeps_the_counts_still_shows_changed(district, clock) -> None:
    clock.move_to(at(20))
    submissions.send(district.commune_a, _user("canbo_a"), "annual", "2026", today=dt.date(2026, 11, 20))
    clock.move_to(at(21))
    account = SocialAccount.objects.get(pk=district.account_a.pk)
    account.account_name = "An Nguyễn Văn"
    account.save()
    t = tracker.tracker(district.district, _user("huyen"), "annual", "2026", dt.date(2026, 11, 21))
    assert t.rows[0].state == "changed" and t.rows[0].differences == []
    diff = tracker.row_differences(t.rows[0].latest, _user("huyen"), dt.date(2026, 11, 21))
    assert [(old[4], new[4]) for old, new in diff["social"].changed] == [("Nguyễn Văn An", "An Nguyễn Văn")]


def test_consolidation_from_snapshots_and_live(district, clock) -> None:
    """Ensure that the district report adds the snapshots sent, lists units not sent without
    figures, and on request uses live data, labelled so."""
    clock.move_to(at(20))
    submissions.send(district.commune_a, _user("canbo_a"), "annual", "2026", today=dt.date(2026, 11, 20))
    factories.account(district.member_a, "https://www.tiktok.com/@an", platform="TikTok")
    t = tracker.tracker(district.district, _user("huyen"), "annual", "2026", dt.date(2026, 11, 20))
    sent = tracker.consolidated_tables(t)[0]
    rows = list(sent.rows)
    assert rows[0][:4] == ["Đảng bộ xã An Hòa", 1, 1, 1] and rows[1][0] == "Đảng bộ xã Bình Minh (chưa gửi)"
    assert sent.total[1:4] == [1, 1, 1] and "Tổng hợp từ báo cáo" in sent.subtitle
    live = tracker.consolidated_tables(t, live=True)[0]
    assert list(live.rows)[0][3] == 2 and live.total[1:4] == [2, 2, 3] and "SỐ LIỆU TRỰC TIẾP" in live.subtitle


def test_a_merged_unit_counts_for_the_receiving_unit(district, clock) -> None:
    """Ensure that when commune A (sent) is merged into B (not sent), A's row says so and is not
    missing, and A's snapshot counts for B until B sends its own report after the merge."""
    clock.move_to(at(20))
    submissions.send(district.commune_a, _user("canbo_a"), "annual", "2026", today=dt.date(2026, 11, 20))
    clock.move_to(at(22))
    restructure.execute(restructure.plan_merge([district.commune_a], district.commune_b), on=dt.date(2026, 11, 22))
    boss = _user("huyen")
    t = tracker.tracker(district.district, boss, "annual", "2026", dt.date(2026, 11, 22))
    a, b = t.rows
    assert a.state == "merged" and "sáp nhập vào Đảng bộ xã Bình Minh" in a.note
    assert b.state == "open" and "Đảng bộ xã An Hòa" in b.note
    assert list(tracker.consolidated_tables(t)[0].rows)[0][:4] == ["Đảng bộ xã Bình Minh", 1, 1, 1]
    sub = Submission.objects.get()
    assert sub.organisation_id == district.commune_b.pk and sub.sender_id == district.commune_a.pk
    clock.move_to(at(25))
    b_org = Organisation.objects.get(pk=district.commune_b.pk)
    submissions.send(b_org, _user("canbo_b"), "annual", "2026", today=dt.date(2026, 11, 25))
    t = tracker.tracker(district.district, boss, "annual", "2026", dt.date(2026, 11, 25))
    assert t.rows[1].state == "sent"
    assert list(tracker.consolidated_tables(t)[0].rows)[0][:4] == ["Đảng bộ xã Bình Minh", 2, 2, 2]


def test_snapshot_figures_are_the_dashboards(district, clock) -> None:
    from services import dashboard

    clock.move_to(at(20))
    today = dt.date(2026, 11, 20)
    sub = submissions.send(district.commune_a, _user("canbo_a"), "annual", "2026", today=today)
    board = dashboard.build(_user("canbo_a"), today)
    assert (board.root.counts["people"], board.root.counts["accounts"], board.root.counts["sites"]) == \
        (sub.snapshot["figures"]["people"], sub.snapshot["figures"]["accounts"], sub.snapshot["figures"]["sites"])
    assert figures.tally(district.commune_a, _user("canbo_a"), today)[figures.TOTAL].as_dict() == sub.snapshot["figures"]


def test_meetings_and_proposals_can_be_sent(district, clock) -> None:
    clock.move_to(at(28))
    officer = _user("canbo_a")
    meet = submissions.send(district.commune_a, officer, "meetings", "2026-11", today=dt.date(2026, 11, 28))
    assert meet.snapshot["figures"] == {"cells": 1, "held": 0, "study": []} and meet.file
    prop = submissions.send(district.commune_a, officer, "proposals", "2026-11", today=dt.date(2026, 11, 28))
    assert "proposals" in prop.snapshot["figures"]
    from services import handbook

    assert handbook.sent_list(district.commune_a, "2026-11") is not None  # the list is frozen with it
