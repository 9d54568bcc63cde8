"""Cadres and party members screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup
from mongoengine import ValidationError
from wtforms.widgets import TextArea

from models import Member, Organisation, normalize
from models.member import ROLES, STATUSES
from services import audit, lifecycle, scope

from . import details
from .base import SecuredModelView
from .filters import BoolFilter, ChoiceFilter, EmptyFilter, OrgSubtreeFilter, QualityFilter, date_range
from .labels import checked_column

_ROLE_LABELS = dict(ROLES)


def _transfers(view: Any, context: Any, model: Any, name: str) -> Markup:
    rows = [Markup("{0}: {1} → {2}{3}").format(normalize.format_date(t.on), t.from_name, t.to_name,
                                             f" ({t.note})" if t.note else "") for t in model.transfers]
    link = Markup('<a href="{0}">Chuyển sinh hoạt…</a>').format(url_for(".transfer_view", id=model.pk))
    return Markup("<br>").join([*rows, link]) if view.can_edit else Markup("<br>").join(rows)


def _roles(view: Any, context: Any, model: Any, name: str) -> str:
    return ", ".join(_ROLE_LABELS.get(r, r) for r in model.roles or [])


class MemberView(SecuredModelView):
    column_list = ["full_name", "org_name", "position", "phone", "email", "status", "roles", "is_party_member"]
    column_details_list = ["full_name", "org_name", "position", "is_party_member", "date_of_birth", "gender",
                           "party_card_number", "admission_date", "official_date", "phone", "email",
                           "status", "roles", "joined_on", "left_on", "left_reason", "transfers", "notes", "quality_issues",
                           "modified_at"]
    column_labels = {
        "full_name": "Họ và tên", "org_name": "Chi bộ", "organisation": "Chi bộ", "position": "Cấp bậc, chức vụ",
        "phone": "Số điện thoại", "email": "Email", "status": "Trạng thái", "roles": "Chức vụ trong cấp ủy",
        "is_party_member": "Là đảng viên", "date_of_birth": "Ngày sinh", "gender": "Giới tính",
        "party_card_number": "Số thẻ đảng viên", "admission_date": "Ngày vào Đảng",
        "official_date": "Ngày chính thức", "joined_on": "Ngày vào danh sách", "left_on": "Ngày rời danh sách",
        "left_reason": "Lý do rời", "transfers": "Chuyển sinh hoạt", "notes": "Ghi chú", "quality_issues": "Lỗi dữ liệu", "modified_at": "Cập nhật lúc",
    }
    column_formatters_detail = {"transfers": _transfers, "roles": _roles}
    column_formatters = {"roles": _roles,
                         "phone": checked_column, "email": checked_column,
                         "quality_issues": lambda v, c, m, n: Markup("<br>").join(m.quality_issues or [])}
    column_sortable_list = [("full_name", "sort_key"), ("org_name", "org_key"), "status"]
    column_default_sort = [("org_key", False), ("sort_key", False)]
    column_filters = [
        OrgSubtreeFilter(),
        ChoiceFilter("status", "Trạng thái", STATUSES),
        ChoiceFilter("roles", "Chức vụ trong cấp ủy", ROLES),
        BoolFilter("is_party_member", "Là đảng viên"),
        QualityFilter(Member),
        EmptyFilter("phone", "Số điện thoại"),
        *date_range("admission_date", "Ngày vào Đảng"),
        *date_range("joined_on", "Ngày vào danh sách"),
        *date_range("left_on", "Ngày rời danh sách"),
    ]
    form_columns = ["full_name", "organisation", "position", "is_party_member", "date_of_birth", "gender",
                    "party_card_number", "admission_date", "official_date", "phone", "email", "status",
                    "roles", "left_on", "left_reason", "notes"]
    form_ajax_refs = {"organisation": {"fields": ["search_keys"], "placeholder": "Gõ tên chi bộ"}}
    form_args = {"roles": {"description": "Chọn một hoặc nhiều chức vụ (giữ Ctrl để chọn thêm); "
                                          "để trống nếu không giữ chức vụ nào trong cấp ủy."},
                 "notes": {"widget": TextArea()}}

    def details_sections(self, model: Any) -> list[dict]:
        return details.member_sections(model)

    @expose("/transfer/", methods=("GET", "POST"))
    def transfer_view(self) -> Any:
        """Move a person to another cell in scope, keeping the history."""
        member = self.get_one(request.args.get("id", ""))
        if member is None or not self.has_change_permission(current_user, member):
            abort(404)
        cells = scope.organisations(current_user).filter(kind="cell").order_by("tree_key")
        form = {"to_org": request.form.get("to_org", ""), "on": request.form.get("on", ""),
                "note": request.form.get("note", "")}
        errors: dict[str, str] = {}
        if request.method == "POST":
            target = Organisation.objects(pk=form["to_org"]).first() if _oid(form["to_org"]) else None
            try:
                on = normalize.date(form["on"]) or dt.date.today()
            except normalize.NormalizeError as exc:
                errors["on"] = str(exc)
            if not errors:
                try:
                    before = member.org_name
                    lifecycle.transfer(member, target, on, form["note"], current_user)
                    audit.record("update", user=current_user, records=[member],
                                 changes=[{"field": "organisation", "before": before, "after": member.org_name}],
                                 detail="Chuyển sinh hoạt")
                except ValidationError as exc:
                    errors["to_org"] = exc.message
                else:
                    flash(f"Đã chuyển {member.full_name} sang {member.org_name}.", "success")
                    return redirect(url_for(".details_view", id=member.pk))
        return self.render("members/transfer.html", member=member, cells=cells, form=form, errors=errors)


def _oid(value: str) -> bool:
    from bson import ObjectId

    return ObjectId.is_valid(value)
