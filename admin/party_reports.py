"""Monthly party-work reports on screen and as xlsx (meetings, tasks) and the work calendar."""

from __future__ import annotations

import tempfile
from typing import Any

from flask import request, send_file, url_for
from flask_admin import expose
from flask_login import current_user
from werkzeug.routing import BuildError

from exports import XLSX_MIMETYPE
from exports.party_reports import rate_text, write_meeting_report, write_task_report
from models import normalize
from services import audit, party_calendar, party_reports, scope
from services.reports import title_block

from .access import PanelView, org_or_404
from .dashboard import list_url
from .filters import DateFromFilter, DateToFilter, picked_unit
from .party_work import month_arg


def _org() -> Any:
    raw = request.args.get("org")
    return org_or_404(raw) if raw else org_or_404(str(scope.scope_root(current_user)))


def _month_nav(year: int, month: int) -> tuple[str, str]:
    prev = (year - 1, 12) if month == 1 else (year, month - 1)
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{prev[0]}-{prev[1]:02d}", f"{nxt[0]}-{nxt[1]:02d}"


class PartyReportsView(PanelView):
    """"Báo cáo sinh hoạt" and "Báo cáo nhiệm vụ": pick a unit in scope and a month."""

    @staticmethod
    def _picked(org: Any) -> tuple[str, str]:
        """The unit picker starts on the report's unit (the units load as the officer types)."""
        return picked_unit(current_user, str(org.pk))

    @expose("/")
    def index(self) -> Any:
        return self.meetings()

    @expose("/sinh-hoat/")
    def meetings(self) -> str:
        org = _org()
        year, month = month_arg()
        report = party_reports.meeting_report(org, current_user, year, month)
        return self.render("party/meeting_report.html", report=report, org=org, picked=self._picked(org),
                           month_value=f"{year}-{month:02d}", nav=_month_nav(year, month), rate_text=rate_text,
                           fmt_date=normalize.format_date)

    @expose("/sinh-hoat/xlsx/")
    def meetings_xlsx(self) -> Any:
        org = _org()
        year, month = month_arg()
        report = party_reports.meeting_report(org, current_user, year, month)
        out = tempfile.TemporaryFile()
        write_meeting_report(out, title_block(org, min(report.deadline, normalize.today())), report)
        out.seek(0)
        audit.record("export", collection="meetings", detail=f"Báo cáo sinh hoạt chi bộ {month:02d}/{year}; {org.code}")
        return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"bao-cao-sinh-hoat-{org.code}-{year}{month:02d}.xlsx")

    @expose("/nhiem-vu/")
    def tasks(self) -> str:
        org = _org()
        year, month = month_arg()
        rows = party_reports.task_report(org, current_user, year, month)
        return self.render("party/task_report.html", rows=rows, org=org, picked=self._picked(org),
                           month_value=f"{year}-{month:02d}", year=year, month=month, nav=_month_nav(year, month))

    @expose("/nhiem-vu/xlsx/")
    def tasks_xlsx(self) -> Any:
        org = _org()
        year, month = month_arg()
        rows = party_reports.task_report(org, current_user, year, month)
        out = tempfile.TemporaryFile()
        write_task_report(out, title_block(org, min(party_reports.month_end(year, month), normalize.today())),
                          rows, year, month)
        out.seek(0)
        audit.record("export", collection="tasks", detail=f"Báo cáo nhiệm vụ {month:02d}/{year}; {org.code}")
        return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"bao-cao-nhiem-vu-{org.code}-{year}{month:02d}.xlsx")


class CalendarView(PanelView):
    """Lịch công tác: a month grid rendered on the server (no script, no CDN)."""

    @expose("/")
    def index(self) -> str:
        year, month = month_arg()
        today = normalize.today()
        entries = party_calendar.month_entries(current_user, year, month, today)

        def link(e: party_calendar.Entry) -> str | None:
            if e.more:  # "+N": the list of that kind filtered on the day
                day = normalize.format_date(e.day)
                return list_url(e.endpoint.split(".")[0], [(DateFromFilter, e.field, day), (DateToFilter, e.field, day)])
            try:
                return url_for(e.endpoint, **e.args)
            except BuildError:
                return None

        return self.render("party/calendar.html", weeks=party_calendar.weeks(year, month), entries=entries,
                           year=year, month=month, today=today, nav=_month_nav(year, month), link=link)
