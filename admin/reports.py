"""The "Báo cáo" screen: pick an organisation in scope and a date or month, download
forms 1 and 2 of the whole subtree and the three reports committees send upward.

GET only: producing a report changes nothing, so the links can be bookmarked.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_login import current_user

from exports import XLSX_MIMETYPE, ExportError
from exports.forms import invalid_note
from models import normalize
from services import reports

from .access import PanelView, org_or_404
from .filters import picked_unit

DOWNLOADS = {"annual": "bao-cao-tong-hop-nam", "monthly": "bao-cao-bien-dong-thang",
             "quality": "bao-cao-chat-luong-du-lieu", "sites": "bieu-mau-1", "social": "bieu-mau-2"}


class ReportsView(PanelView):

    @expose("/")
    def index(self) -> str:
        today = normalize.today()
        return self.render("reports/index.html", picked=picked_unit(current_user, request.args.get("org")), today=today,
                           years=range(today.year, today.year - 6, -1), kinds=reports.REPORT_KINDS,
                           people=reports.PEOPLE)

    @expose("/download/")
    def download(self) -> Any:
        kind = request.args.get("kind", "")
        if kind not in DOWNLOADS:
            abort(404)
        org = org_or_404(request.args.get("org", ""))
        today = normalize.today()
        out = tempfile.TemporaryFile()
        try:
            options = _options(kind, today)
            if kind in reports.FORM_MODELS:
                invalid = reports.InvalidCounter()
                reports.export_form(kind, out, org, current_user, today=today, **options,
                                    people=request.args.get("people") or "all", invalid=invalid)
                if invalid.count:
                    flash(invalid_note(invalid.count), "warning")
            else:
                reports.export_report(kind, out, org, current_user, today=today, **options)
        except (ValueError, ExportError, reports.ReportError) as exc:
            out.close()
            flash(str(exc), "error")
            return redirect(url_for(".index", org=str(org.pk)))
        out.seek(0)
        name = f"{DOWNLOADS[kind]}-{org.code}-{today:%Y%m%d}.xlsx"
        return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)



def _options(kind: str, today: dt.date) -> dict[str, Any]:
    """Dates typed in the form; raises ValueError with a Vietnamese message."""
    if kind == "monthly":
        try:
            year, month = int(request.args.get("year", "")), int(request.args.get("month", ""))
        except ValueError:
            raise ValueError("Hãy chọn tháng và năm báo cáo.") from None
        if not (1 <= month <= 12 and 2000 <= year <= today.year + 1):
            raise ValueError("Tháng hoặc năm báo cáo không hợp lệ.")
        return {"year": year, "month": month}
    if kind == "quality":
        return {}
    raw = request.args.get("as_of", "")
    try:
        as_of = normalize.date(raw) if raw else today
    except normalize.NormalizeError as exc:
        raise ValueError(f"Ngày báo cáo: {exc}") from None
    if as_of > today:
        raise ValueError("Ngày báo cáo không được sau hôm nay.")
    return {"as_of": as_of, "include_departed": request.args.get("departed") == "1"}
