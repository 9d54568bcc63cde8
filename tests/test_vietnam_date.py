"""Ensure that "today" is Vietnam's date everywhere, whatever the server's clock says.

The server runs in UTC: from 17:00 UTC it is already tomorrow in Vietnam. At 20:33 UTC on
30/11/2026 an officer works on 01/12/2026 (the deadline day): a task due 30/11 is overdue,
an account set up this morning is not "in the future", and the date printed on the forms
is 01/12. ``normalize.today`` is the one place that answers; the guard below keeps the
server's own date out of the product's code.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

import imports
from models import Member, PartyDocument, SocialAccount, Task, normalize
from models.handbook import propose
from services import integrity, party_docs, party_reports, reports
from tests import factories
from tests.fixtures.office import SheetSpec, build
from tests.test_import_office import row

ROOT = pathlib.Path(__file__).resolve().parent.parent
# 20:33 on a server in UTC = 03:33 on 01/12 in Vietnam
EVENING_UTC = dt.datetime(2026, 11, 30, 20, 33, tzinfo=ZoneInfo("UTC"))
SERVER_DATE = re.compile(r"\bdate\.today\(|\bdatetime\.today\(|\bdatetime\.now\(\)|utcnow\(\)\.date\(\)"
                         r"|utcnow\(\)\.replace\(hour=0|\btime\.strftime\(")
#: a stored timestamp printed raw in a template (UTC): it goes through |moment or |day
RAW_TIMESTAMP = re.compile(r"(_at|\.at)\.strftime\(")


def test_no_code_reads_the_servers_date() -> None:
    """Ensure that no module of the product takes "today" from the server's clock."""
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for folder in ("admin", "services", "models", "exports", "imports")
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if SERVER_DATE.search(line)]
    offenders += [f"app.py:{n}" for n, line in enumerate((ROOT / "app.py").read_text().splitlines(), 1)
                  if SERVER_DATE.search(line)]
    offenders += [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                  for path in sorted((ROOT / "admin" / "templates").rglob("*.html"))
                  for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                  if RAW_TIMESTAMP.search(line)]
    assert offenders == []


def test_import_log_shows_vietnams_time(world, officer_client) -> None:
    """Ensure that the imports page shows when a file was imported in Vietnam's time."""
    from models import ImportLog

    ImportLog(username="canbo_a", source="web", organisation=world.commune_a, kind="social", filename="bm2.xlsx",
              sha256="0" * 64, at=dt.datetime(2026, 11, 30, 20, 33)).save()
    html = officer_client.get("/admin/imports/").get_data(as_text=True)
    assert "01/12/2026 03:33" in html and "30/11/2026 20:33" not in html


def test_tasks_are_overdue_by_vietnams_date(world) -> None:
    """Ensure that a task due 30/11 is overdue on 01/12 in Vietnam (20:33 UTC on 30/11),
    in the model, in the overdue list, and that finishing it is dated 01/12."""
    with time_machine.travel(EVENING_UTC, tick=False):
        assert dt.date.today() == dt.date(2026, 11, 30)  # the server's own date: still the 30th
        late = Task(organisation=world.cell_a, title="Nộp báo cáo", due_on=dt.datetime(2026, 11, 30))
        late.save()
        assert late.is_overdue()
        officer = factories.user("canbo_a", world.commune_a)
        assert [t.pk for t in party_reports.overdue_tasks(officer)] == [late.pk]
        late.status = "done"
        late.save()
        assert late.completed_on == dt.datetime(2026, 12, 1)


def test_imports_and_forms_use_vietnams_date(world) -> None:
    """Ensure that an account set up on 01/12 (Vietnam) imports at 20:33 UTC on 30/11 (not
    "after today"), and that the printed "updated" date of a record is 01/12."""
    data = build([SheetSpec("DS", [row(c7="facebook.com/sang.nay", c10="01/12/2026")])])
    with time_machine.travel(EVENING_UTC, tick=False):
        summary = imports.run(data, "social", world.commune_a, dry_run=False)
        assert summary.errors == [] and summary.created == 1
        assert SocialAccount.objects(url_key="facebook.com/sang.nay").get().established_on == dt.datetime(2026, 12, 1)
        account = factories.account(world.member_a, url="https://www.facebook.com/moi.sua")
        assert account.updated_on == dt.datetime(2026, 12, 1)


def test_reports_count_timestamps_by_vietnams_calendar(world) -> None:
    """Ensure that an account added at 06:00 on 01/12 in Vietnam (23:00 UTC on 30/11) is
    December's in the monthly report, dated 01/12, and not yet in the annual figures as of
    30/11; one added at 06:00 on 30/11 (23:00 UTC on 29/11) is November's."""
    early_dec = dt.datetime(2026, 11, 30, 23, 0)  # stored UTC, naive
    early_nov30 = dt.datetime(2026, 11, 29, 23, 0)
    for url, at in (("https://www.facebook.com/sang.1.12", early_dec), ("https://www.facebook.com/sang.30.11", early_nov30)):
        account = factories.account(world.member_a, url=url)
        SocialAccount.objects(pk=account.pk).update(set__created_at=at)

    def added(month: int) -> list[tuple[str, str]]:
        detail = reports.monthly_tables(world.commune_a, None, 2026, month)[1].rows
        return [(r[5], r[6]) for r in detail if r[4] == "Thêm tài khoản mạng xã hội" and "/sang." in r[5]]

    assert added(12) == [("Facebook: https://www.facebook.com/sang.1.12", "01/12/2026")]
    assert added(11) == [("Facebook: https://www.facebook.com/sang.30.11", "30/11/2026")]
    [annual] = reports.annual_tables(world.commune_a, None, dt.date(2026, 11, 30))
    accounts = annual.total[3]  # (4) social accounts, the whole commune
    [later] = reports.annual_tables(world.commune_a, None, dt.date(2026, 12, 1))
    assert later.total[3] == accounts + 1


def test_timestamp_bounds_and_display_follow_vietnam() -> None:
    """Ensure that the one rule for timestamps: a Vietnamese day starts at 17:00 UTC the day
    before, and a stored timestamp is shown as its Vietnamese date."""
    assert normalize.day_start(dt.date(2026, 12, 1)) == dt.datetime(2026, 11, 30, 17, 0)
    assert normalize.format_day(dt.datetime(2026, 11, 30, 17, 0)) == "01/12/2026"
    assert normalize.format_day(dt.datetime(2026, 11, 30, 16, 59)) == "30/11/2026"
    # a calendar date stored at midnight keeps its day (fields that held UTC moments before)
    assert normalize.format_day(dt.datetime(2026, 12, 1)) == "01/12/2026"


def test_a_person_entered_without_admission_date_joins_on_vietnams_date(world) -> None:
    """Ensure that "joined the register" is the Vietnamese calendar date of entry (the
    monthly report's "Thêm mới" counts by it), not a UTC timestamp."""
    with time_machine.travel(EVENING_UTC, tick=False):
        person = factories.member(world.cell_a, "Người Vào Tối", admission_date=None, is_party_member=False)
    assert Member.objects.get(pk=person.pk).joined_on == dt.datetime(2026, 12, 1)


@pytest.mark.inconsistent
def test_check_repairs_a_join_date_stored_as_a_utc_moment(world) -> None:
    """Ensure that ``flask check`` reports a member whose "joined" date is an old UTC
    timestamp, and ``--repair`` makes it that moment's Vietnamese date (and nothing else)."""
    person = factories.member(world.cell_a, "Người Cũ")
    Member.objects(pk=person.pk).update(set__joined_on=dt.datetime(2026, 11, 30, 23, 0))
    assert any("ngày vào danh sách" in p for p in integrity.check().problems)
    report = integrity.check(repair=True)
    assert any("ngày vào danh sách của 1 người" in r for r in report.repaired)
    assert Member.objects.get(pk=person.pk).joined_on == dt.datetime(2026, 12, 1)
    assert Member.objects.get(pk=world.member_a.pk).joined_on.time() == dt.time()
    assert integrity.check().clean


def test_handbook_and_documents_are_dated_by_vietnams_calendar(world) -> None:
    """Ensure that, at 20:33 UTC on 30/11 (01/12 in Vietnam), a handbook proposal goes to
    December's list, and a document sent and received then is dated 01/12."""
    doc = PartyDocument(doc_type="Nghị quyết", number="05-NQ/HU", title="Về chuyển đổi số", classification="thuong",
                        issued_on=dt.datetime(2026, 11, 2), organisation=world.district)
    doc.save()
    with time_machine.travel(EVENING_UTC, tick=False):
        proposal = propose(world.member_a, "create", "admission", "Kết nạp")
        party_docs.send(doc, [world.commune_a])
        party_docs.mark(doc, world.commune_a.pk, "received_on")
    assert proposal.month == "2026-12" and proposal.event_on == dt.datetime(2026, 12, 1)
    assert Member.objects.get(pk=world.member_a.pk).handbook_changed_on == dt.datetime(2026, 12, 1)
    rec = PartyDocument.objects.get(pk=doc.pk).recipient(world.commune_a.pk)
    assert (rec.sent_on, rec.received_on) == (dt.datetime(2026, 12, 1), dt.datetime(2026, 12, 1))


def test_clock_setting_of_the_session_is_the_next_occurrence():
    """Ensure that ``TEST_CLOCK`` without a year means its next occurrence (a test written
    today meets that day before it passes), and a full moment is taken as written."""
    from tests.conftest import clock_destination

    now = dt.datetime(2026, 12, 7, 1, 40, tzinfo=dt.UTC)
    assert clock_destination("11-30T20:00Z", now) == dt.datetime(2027, 11, 30, 20, 0, tzinfo=dt.UTC)
    assert clock_destination("12-31T16:00Z", now) == dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)
    assert clock_destination("01-01T01:00", now) == dt.datetime(2027, 1, 1, 1, 0, tzinfo=dt.UTC)
    assert clock_destination("2030-06-01T00:00+07:00", now).astimezone(dt.UTC) == dt.datetime(
        2030, 5, 31, 17, 0, tzinfo=dt.UTC)
