"""Resolution study campaigns: the list, progress per cell and committee, the members who
have not studied, recording by hand, and the xlsx report."""

from __future__ import annotations

import tempfile
from typing import Any

from bson import ObjectId
from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup

from exports import XLSX_MIMETYPE
from exports.party_reports import rate_text, write_study_report
from models import Organisation, normalize
from services import audit, party_study, policy, scope
from services.party_reports import ReportError, campaigns, study_progress
from services.reports import title_block

from .base import SecuredModelView
from .filters import OrgSubtreeFilter, date_range


def _progress_link(view: Any, context: Any, model: Any, name: str) -> Markup:
    return Markup('<a href="{0}">Tiến độ…</a>').format(url_for(".progress_view", id=model.pk))


class StudyCampaignView(SecuredModelView):
    column_list = ["title", "document_label", "org_name", "starts_on", "ends_on", "progress"]
    column_details_list = ["title", "document_label", "org_name", "starts_on", "ends_on", "notes", "progress"]
    column_labels = {"title": "Đợt học tập", "document": "Nghị quyết, chỉ thị", "document_label": "Nghị quyết, chỉ thị",
                     "organisation": "Đơn vị triển khai", "org_name": "Đơn vị triển khai", "starts_on": "Từ ngày",
                     "ends_on": "Đến ngày", "notes": "Ghi chú", "progress": "Tiến độ"}
    column_formatters = {"progress": _progress_link}
    column_formatters_detail = {"progress": _progress_link}
    column_sortable_list = ["starts_on", "ends_on"]
    column_default_sort = ("starts_on", True)
    column_filters = [OrgSubtreeFilter(), *date_range("starts_on", "Từ ngày")]
    form_columns = ["organisation", "document", "title", "starts_on", "ends_on", "notes"]
    form_ajax_refs = {"organisation": {"fields": ["search_keys"], "placeholder": "Gõ tên tổ chức"},
                      "document": {"fields": ["search_keys"], "placeholder": "Gõ số hoặc trích yếu văn bản"}}
    search_hint = "Tìm theo tên đợt, số nghị quyết (không cần gõ dấu)"

    def get_query(self) -> Any:
        """Campaigns launched in the user's subtree or by a unit above (the members below study them)."""
        return campaigns(current_user)

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        """A campaign launched above the user's unit is followed (seen) there too."""
        if not super().has_view_permission(user):
            return False
        if obj is None or scope.can_see(user, obj):
            return True
        ref = obj._data.get("organisation")
        return getattr(ref, "id", getattr(ref, "pk", None)) in (getattr(user.organisation, "scope", None) or [])

    def _campaign(self, raw: str) -> Any:
        found = self.get_query().filter(pk=raw).first() if ObjectId.is_valid(raw or "") else None
        if found is None:
            abort(404)
        return found

    @expose("/progress/", methods=("GET", "POST"))
    def progress_view(self) -> Any:
        campaign = self._campaign(request.args.get("id", ""))
        if request.method == "POST":
            if not policy.can(current_user, self.write_action):
                abort(403)
            try:
                when = normalize.date(request.form.get("studied_on", "")) or None
                if when is None:
                    raise ReportError("Hãy nhập ngày học tập (dd/mm/yyyy).")
                n = party_study.record_by_hand(campaign, request.form.getlist("member"), when, current_user)
            except (ReportError, normalize.NormalizeError) as exc:
                flash(f"Không ghi nhận được: {exc}", "error")
            else:
                flash(f"Đã ghi nhận {n} đảng viên học tập.", "success")
                return redirect(url_for(".progress_view", id=campaign.pk))
        try:
            progress = study_progress(campaign, current_user)
        except ReportError:
            abort(404)
        return self.render("party/study_progress.html", progress=progress, rate_text=rate_text,
                           fmt_date=normalize.format_date)

    @expose("/export/")
    def export_view(self) -> Any:
        campaign = self._campaign(request.args.get("id", ""))
        progress = study_progress(campaign, current_user)
        root = Organisation.objects(pk=progress.root.pk).get()
        out = tempfile.TemporaryFile()
        write_study_report(out, title_block(root, normalize.to_datetime(campaign.ends_on).date()), progress)
        out.seek(0)
        audit.record("export", collection="study_records", detail=f"Học tập nghị quyết: {campaign.title}; {root.code}")
        return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"hoc-tap-nghi-quyet-{root.code}.xlsx")
