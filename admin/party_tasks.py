"""Tasks ("Giao nhiệm vụ"): the unit's list, a member's list, a cell's list."""

from __future__ import annotations

import re
from typing import Any

from bson import ObjectId
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.mongoengine.filters import BaseMongoEngineFilter
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from mongoengine import QuerySet
from wtforms import TextAreaField

from models import normalize
from models.party_tasks import OVERDUE, STATUS_LABELS, TASK_STATUSES, Evaluation
from services import audit, records

from .base import SecuredModelView
from .filters import OrgSubtreeFilter, date_range


class TaskStatusFilter(BaseMongoEngineFilter):
    """Status as shown, "Quá hạn" included (not done and past the deadline: indexed range)."""

    def __init__(self) -> None:
        super().__init__("status", "Tình trạng", options=[*TASK_STATUSES, OVERDUE])

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        today = normalize.today_stored()
        if value == OVERDUE[0]:
            return query.filter(status__in=["todo", "doing"], due_on__lt=today)
        if value in ("todo", "doing"):
            return query.filter(status=value, due_on__gte=today)
        return query.filter(status=value)

    def operation(self) -> str:
        return "là"


def _status(view: Any, context: Any, model: Any, name: str) -> Markup:
    key = model.display_status()
    css = {"overdue": "badge-danger", "done": "badge-success", "doing": "badge-info"}.get(key, "badge-secondary")
    return Markup('<span class="badge {0}">{1}</span>').format(css, STATUS_LABELS[key])


def _evaluations(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The monthly notes, and a form to write this month's (or another month's) note."""
    notes = Markup("<br>").join(Markup("<strong>{0}</strong>: {1}").format(
        f"{e.month[5:]}/{e.month[:4]}", e.note or "") for e in sorted(model.evaluations, key=lambda e: e.month))
    if not view.has_change_permission(current_user, model):
        return notes
    today = normalize.today()
    form = Markup(
        '<form method="post" action="{0}" class="task-evaluation mt-2"><input type="hidden" name="csrf_token" value="{1}">'
        '<input type="hidden" name="id" value="{2}"><div class="form-inline mb-1"><label class="mr-2" for="ev-month">Tháng</label>'
        '<input class="form-control form-control-sm" type="month" id="ev-month" name="month" value="{3}" required></div>'
        '<textarea class="form-control form-control-sm mb-1" name="note" rows="2" maxlength="2000" required '
        'aria-label="Nhận xét của chi bộ"></textarea><button class="btn btn-sm btn-primary" type="submit">'
        'Lưu nhận xét tháng</button></form>').format(url_for(".evaluate_view"), generate_csrf(), model.pk,
                                                      f"{today.year}-{today.month:02d}")
    return notes + form


def _member_link(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The member's name, linking to their task list; the stored reference is read as is
    (``_data`` holds the DBRef), so that no member is loaded per row."""
    ref = model._data.get("member")
    member_id = getattr(ref, "id", None) or getattr(ref, "pk", None)
    if not model.member_name or member_id is None:
        return Markup("")
    return Markup('<a href="{0}" title="Nhiệm vụ của người này">{1}</a>').format(
        url_for(".index_view", member=str(member_id)), model.member_name)


class TaskView(SecuredModelView):
    column_list = ["title", "member_name", "org_name", "assigned_by_name", "due_on", "status"]
    column_details_list = ["title", "description", "member_name", "org_name", "assigned_by_name", "starts_on",
                           "due_on", "status", "completed_on", "result", "evaluations"]
    column_labels = {"title": "Nhiệm vụ", "description": "Nội dung", "member": "Đảng viên được giao",
                     "member_name": "Đảng viên được giao", "organisation": "Chi bộ được giao", "org_name": "Chi bộ",
                     "assigned_by": "Đơn vị giao", "assigned_by_name": "Đơn vị giao", "starts_on": "Ngày bắt đầu",
                     "due_on": "Hạn hoàn thành", "status": "Tình trạng", "completed_on": "Ngày hoàn thành",
                     "result": "Kết quả", "evaluations": "Nhận xét, đánh giá hằng tháng"}
    column_formatters = {"status": _status, "member_name": _member_link}
    column_formatters_detail = {"status": _status, "evaluations": _evaluations}
    column_sortable_list = ["due_on"]
    column_default_sort = ("due_on", False)
    column_filters = [OrgSubtreeFilter(), TaskStatusFilter(), *date_range("due_on", "Hạn hoàn thành")]
    form_columns = ["organisation", "member", "assigned_by", "title", "description", "starts_on", "due_on",
                    "status", "completed_on", "result"]
    form_args = {"member": {"description": "Để trống nếu giao cho cả chi bộ; nếu chọn, nhiệm vụ thuộc chi bộ của người này."},
                 "assigned_by": {"description": "Để trống: chính chi bộ giao."}}
    form_overrides = {"description": TextAreaField, "result": TextAreaField}
    form_ajax_refs = {"organisation": {"fields": ["search_keys"], "placeholder": "Gõ tên chi bộ"},
                      "assigned_by": {"fields": ["search_keys"], "placeholder": "Gõ tên đơn vị"},
                      "member": {"fields": ["search_keys"], "placeholder": "Gõ tên đảng viên"}}
    search_hint = "Tìm theo tên nhiệm vụ, người được giao (không cần gõ dấu)"

    @expose("/evaluate/", methods=("POST",))
    def evaluate_view(self) -> Any:
        """The cell's note on the task for one month (a second note for that month replaces the first)."""
        task = self.get_one(request.form.get("id", ""))
        if not self.has_change_permission(current_user, task):
            abort(403)
        month, note = request.form.get("month", ""), normalize.multiline(request.form.get("note"))
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month) or not note:
            flash("Hãy chọn tháng và nhập nhận xét.", "error")
            return redirect(url_for(".details_view", id=task.pk))
        before = audit.snapshot(task)
        task.evaluations = [e for e in task.evaluations if e.month != month] + [Evaluation(month=month, note=note)]
        records.save(task, by=current_user, before=before, strict=not task.quality_issues,
                     detail=f"Nhận xét nhiệm vụ tháng {month[5:]}/{month[:4]}")
        flash("Đã lưu nhận xét.", "success")
        return redirect(url_for(".details_view", id=task.pk))

    def get_query(self) -> Any:
        """``?member=<id>``: one member's tasks (the member's list)."""
        qs = super().get_query()
        member = request.args.get("member", "")
        return qs.filter(member=ObjectId(member)) if ObjectId.is_valid(member) else qs
