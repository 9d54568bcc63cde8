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

import time_machine

import imports
from models import SocialAccount, Task
from services import party_reports
from tests import factories
from tests.fixtures.office import SheetSpec, build
from tests.test_import_office import row

ROOT = pathlib.Path(__file__).resolve().parent.parent
# 20:33 on a server in UTC = 03:33 on 01/12 in Vietnam
EVENING_UTC = dt.datetime(2026, 11, 30, 20, 33, tzinfo=ZoneInfo("UTC"))
SERVER_DATE = re.compile(r"\bdate\.today\(|\bdatetime\.today\(|\bdatetime\.now\(\)|utcnow\(\)\.date\(\)"
                         r"|utcnow\(\)\.replace\(hour=0")


def test_no_code_reads_the_servers_date() -> None:
    """Ensure that no module of the product takes "today" from the server's clock."""
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for folder in ("admin", "services", "models", "exports", "imports")
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if SERVER_DATE.search(line)]
    offenders += [f"app.py:{n}" for n, line in enumerate((ROOT / "app.py").read_text().splitlines(), 1)
                  if SERVER_DATE.search(line)]
    assert offenders == []


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
