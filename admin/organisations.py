"""Organisation tree screen."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup
from mongoengine import ValidationError

from models import Organisation, OrganisationNotEmpty, normalize
from models.organisation import KINDS, LEVELS
from services import policy, records, restructure, scope

from . import details
from .access import deny
from .base import SecuredModelView
from .filters import ChoiceFilter, OrgSubtreeFilter


def _tree_name(view: Any, context: Any, model: Any, name: str) -> Markup:
    return Markup('<span style="padding-left:{0}em">{1}</span>').format((model.depth or 0) * 1.5, model.name)


def _role_history(view: Any, context: Any, model: Any, name: str) -> Markup:
    """Who held which role in this unit, and when (Điều 6 khoản 1 điểm b); newest first."""
    from models import Member
    from models.member import ROLES

    labels, rows = dict(ROLES), []
    holders = scope.visible(Member, current_user).filter(role_grants__match={"unit": model.pk}).only("full_name", "role_grants")
    for m in holders:
        rows += [(g.start, labels.get(g.role, g.role), m.full_name, g.end) for g in m.role_grants
                 if g.unit is not None and g.unit.pk == model.pk]
    rows.sort(key=lambda r: r[0], reverse=True)
    return Markup("<br>").join(Markup("{0}: {1} ({2} – {3})").format(
        role, person, normalize.format_date(start), normalize.format_date(end) or "nay") for start, role, person, end in rows)


class OrganisationView(SecuredModelView):
    column_list = ["name", "code", "kind", "level", "path"]
    column_details_list = ["code", "name", "kind", "level", "path", "place", "created_at", "role_history"]
    column_labels = {"name": "Tên tổ chức", "code": "Mã", "kind": "Loại", "level": "Cấp",
                     "path": "Trực thuộc", "parent": "Tổ chức cấp trên", "place": "Địa danh (in trên biểu mẫu)",
                     "created_at": "Ngày tạo", "role_history": "Bí thư, Phó Bí thư, cấp ủy viên, thư ký qua các thời kỳ"}
    column_formatters = {"name": _tree_name, "path": lambda v, c, m, n: Markup('<span title="{0}">{1}</span>').format(
                             m.path, " › ".join(m.path_names[:-1]))}
    column_formatters_detail = {**column_formatters, "name": lambda v, c, m, n: m.name,  # no tree indent
                                "role_history": _role_history}
    column_default_sort = "tree_key"
    column_sortable_list = ["code", "tree_key"]
    column_filters = [OrgSubtreeFilter(), ChoiceFilter("kind", "Loại", KINDS), ChoiceFilter("level", "Cấp", LEVELS)]
    form_columns = ["code", "name", "kind", "level", "parent", "place"]
    form_ajax_refs = {"parent": {"fields": ["search_keys"], "filter": {"kind": "committee"}, "placeholder": "Chọn tổ chức cấp trên"}}
    form_args = {"code": {"description": "Chữ in hoa, số, dấu gạch; ví dụ HU-VB, XA-AN-HOA"}}

    def details_sections(self, model: Any) -> list[dict]:
        return details.organisation_sections(model)

    def has_change_permission(self, user: Any, obj: Any = None) -> bool:
        """Officers manage units strictly below their own; only an admin edits the root."""
        return super().has_change_permission(user, obj) and policy.can(user, policy.EDIT_UNIT, obj)

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        if model.parent is None and not policy.can(current_user, policy.ADMINISTER):
            raise ValidationError("Chỉ quản trị hệ thống được tạo tổ chức cấp cao nhất.")
        if model.parent is not None and not scope.can_see(current_user, model.parent):
            raise ValidationError("Tổ chức cấp trên nằm ngoài phạm vi quản lý của bạn.")
        if not policy.can(current_user, policy.EDIT_UNIT, model):
            raise ValidationError("Bạn không thể sửa tổ chức của chính mình.")

    def delete_model(self, model: Any) -> bool:
        if not self.has_change_permission(current_user, model):
            flash("Bạn không có quyền giải thể tổ chức này.", "error")
            return False
        try:
            self.on_model_delete(model)
            records.delete(model, by=current_user)
        except OrganisationNotEmpty as exc:
            flash(str(exc), "error")
            return False
        self.after_model_delete(model)
        return True

    # --- restructuring: move, merge, remove a level; previewed, then run (administrators) ---
    list_template = "organisations/list.html"

    @expose("/restructure/", methods=("GET", "POST"))
    def restructure_view(self) -> Any:
        if not policy.can(current_user, policy.ADMINISTER):
            deny(self.endpoint, "restructure")
        op = request.values.get("op", "move")
        op = op if op in restructure.OPERATIONS else "move"
        chosen = [s for s in request.form.getlist("sources") if ObjectId.is_valid(s)]
        target = request.form.get("target", "")
        on = request.form.get("on", "").strip()
        plan = None
        if request.method == "POST":
            try:
                plan = self._plan(op, chosen, target)
                day = normalize.date(on) if on else None
            except (restructure.RestructureError, normalize.NormalizeError) as exc:
                flash(str(exc), "error")
                plan = None
            if plan is not None and request.form.get("confirm") == "1":
                counts = restructure.execute(plan, user=current_user, on=day)
                flash(f"Đã thực hiện: {counts['units']} tổ chức chuyển cấp trên, {counts['records']} bản ghi chuyển, "
                      f"{counts['closed']} tổ chức đóng.", "success")
                return redirect(url_for(".index_view"))
        orgs = Organisation.objects(closed_on=None).only("name", "code", "depth", "kind", "tree_key").order_by("tree_key")
        return self.render("organisations/restructure.html", orgs=orgs, operations=restructure.OPERATIONS, op=op,
                           chosen=chosen, target=target, on=on, plan=plan)

    @staticmethod
    def _plan(op: str, chosen: list[str], target: str) -> restructure.Plan:
        sources = list(Organisation.objects(pk__in=chosen))
        into = Organisation.objects(pk=target).first() if ObjectId.is_valid(target) else None
        if not sources:
            raise restructure.RestructureError("Hãy chọn tổ chức cần sắp xếp.")
        if op == "lift":
            if len(sources) != 1:
                raise restructure.RestructureError("Bỏ cấp: chọn đúng một tổ chức.")
            return restructure.plan_lift(sources[0])
        if into is None:
            raise restructure.RestructureError("Hãy chọn tổ chức cấp trên mới hoặc tổ chức nhận.")
        if op == "move":
            if len(sources) != 1:
                raise restructure.RestructureError("Chuyển: chọn đúng một tổ chức.")
            return restructure.plan_move(sources[0], into)
        return restructure.plan_merge(sources, into)
