"""Cadres and party members screen."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup
from mongoengine import ValidationError
from wtforms.widgets import TextArea

from models import Member, Organisation, normalize
from models.handbook import KINDS
from models.member import HANDBOOK_STATES, ROLES, STATUSES, RoleGrant
from services import lifecycle, members, scope

from . import details
from .accounts import ListExportMixin
from .base import SecuredModelView
from .filters import (
    BoolFilter,
    ChoiceFilter,
    EmptyFilter,
    OrgSubtreeFilter,
    QualityFilter,
    RoleOnDateFilter,
    date_range,
)
from .labels import checked_column

_ROLE_LABELS = dict(ROLES)


def _transfers(view: Any, context: Any, model: Any, name: str) -> Markup:
    rows = [Markup("{0}: {1} → {2}{3}").format(normalize.format_date(t.on), t.from_name, t.to_name,
                                             f" ({t.note})" if t.note else "") for t in model.transfers]
    link = Markup('<a href="{0}">Chuyển sinh hoạt…</a>').format(url_for(".transfer_view", id=model.pk))
    return Markup("<br>").join([*rows, link]) if view.can_edit else Markup("<br>").join(rows)


def _roles(view: Any, context: Any, model: Any, name: str) -> str:
    return ", ".join(_ROLE_LABELS.get(r, r) for r in model.roles or [])


def _grants(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The person's role history (Điều 6 khoản 1 điểm b), newest first."""
    rows = [Markup("{0}, {1}: {2} – {3}").format(_ROLE_LABELS.get(g.role, g.role), g.unit_name or "",
                                                 normalize.format_date(g.start), normalize.format_date(g.end) or "nay")
            for g in sorted(model.role_grants, key=lambda g: g.start, reverse=True)]
    if view.can_edit:
        rows.append(Markup('<a href="{0}">Cấp, thôi chức vụ…</a>').format(url_for(".roles_view", id=model.pk)))
    return Markup("<br>").join(rows)


def _status(view: Any, context: Any, model: Any, name: str) -> str:
    label = dict(STATUSES).get(model.status, model.status or "")
    return f"{label} (đang chuyển)" if model.in_transfer else label


def _handbook(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The handbook-account state, and a form to propose creation/deletion by hand."""
    text = Markup("{0}{1}").format(dict(HANDBOOK_STATES).get(model.handbook_state, ""),
                                   f" ({normalize.format_day(model.handbook_changed_on)})" if model.handbook_changed_on else "")
    if not view.can_edit or not model.is_party_member:
        return text
    kind = "delete" if model.handbook_state in ("created", "proposed_create") else "create"
    return text + Markup(
        '<form method="post" action="{0}" class="form-inline mt-1"><input type="hidden" name="csrf_token" value="{1}">'
        '<input type="hidden" name="member" value="{2}"><input type="hidden" name="kind" value="{3}">'
        '<input name="reason" class="form-control form-control-sm mr-1" placeholder="Lý do" aria-label="Lý do">'
        '<button type="submit" class="btn btn-sm btn-outline-primary">{4}</button></form>').format(
        url_for("handbook.propose"), _csrf(), model.pk, kind, dict(KINDS)[kind])


def _csrf() -> str:
    from flask_wtf.csrf import generate_csrf

    return generate_csrf()


class MemberView(ListExportMixin, SecuredModelView):
    export_kind = "roster"
    column_list = ["full_name", "org_name", "position", "phone", "email", "status", "roles", "is_party_member"]
    column_details_list = ["full_name", "org_name", "position", "is_party_member", "date_of_birth", "gender",
                           "party_card_number", "admission_date", "official_date", "phone", "email",
                           "status", "roles", "role_grants", "handbook_state", "joined_on", "left_on", "left_reason", "transfers",
                           "notes", "quality_issues", "modified_at"]
    column_labels = {
        "full_name": "Họ và tên", "org_name": "Chi bộ", "organisation": "Chi bộ", "position": "Cấp bậc, chức vụ",
        "phone": "Số điện thoại", "email": "Email", "status": "Trạng thái", "roles": "Chức vụ trong cấp ủy",
        "is_party_member": "Là đảng viên", "date_of_birth": "Ngày sinh", "gender": "Giới tính",
        "party_card_number": "Số thẻ đảng viên", "admission_date": "Ngày vào Đảng",
        "official_date": "Ngày chính thức", "joined_on": "Ngày vào danh sách", "left_on": "Ngày rời danh sách",
        "left_reason": "Lý do rời", "transfers": "Chuyển sinh hoạt", "notes": "Ghi chú", "quality_issues": "Lỗi dữ liệu", "modified_at": "Cập nhật lúc",
        "role_grants": "Quá trình giữ chức vụ", "handbook_state": "Tài khoản Sổ tay đảng viên",
    }
    column_formatters_detail = {"transfers": _transfers, "roles": _roles, "role_grants": _grants,
                                "handbook_state": _handbook, "status": _status}
    column_formatters = {"roles": _roles, "status": _status,
                         "phone": checked_column, "email": checked_column,
                         "quality_issues": lambda v, c, m, n: Markup("<br>").join(m.quality_issues or [])}
    column_sortable_list = [("full_name", "sort_key"), ("org_name", "org_key"), "status"]
    column_default_sort = [("org_key", False), ("sort_key", False)]
    column_filters = [
        OrgSubtreeFilter(),
        ChoiceFilter("status", "Trạng thái", STATUSES),
        ChoiceFilter("roles", "Chức vụ trong cấp ủy", ROLES),
        *(RoleOnDateFilter(key, label) for key, label in ROLES),
        ChoiceFilter("handbook_state", "Tài khoản Sổ tay đảng viên", HANDBOOK_STATES),
        BoolFilter("in_transfer", "Đang chuyển sinh hoạt"),
        BoolFilter("is_party_member", "Là đảng viên"),
        QualityFilter(Member),
        EmptyFilter("phone", "Số điện thoại"),
        *date_range("admission_date", "Ngày vào Đảng"),
        *date_range("joined_on", "Ngày vào danh sách"),
        *date_range("left_on", "Ngày rời danh sách"),
    ]
    form_columns = ["full_name", "organisation", "position", "is_party_member", "date_of_birth", "gender",
                    "party_card_number", "admission_date", "official_date", "phone", "email", "status",
                    "left_on", "left_reason", "notes"]
    form_ajax_refs = {"organisation": {"fields": ["search_keys"], "placeholder": "Gõ tên chi bộ"}}
    form_args = {"roles": {"description": "Chọn một hoặc nhiều chức vụ (giữ Ctrl để chọn thêm); "
                                          "để trống nếu không giữ chức vụ nào trong cấp ủy."},
                 "notes": {"widget": TextArea()}}

    def details_sections(self, model: Any) -> list[dict]:
        return details.member_sections(model)

    def save_record(self, form: Any, model: Any, *, before: dict | None, expected_version: Any) -> None:
        members.save(model, by=current_user, before=before, expected_version=expected_version)

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
                on = normalize.date(form["on"]) or normalize.today()
            except normalize.NormalizeError as exc:
                errors["on"] = str(exc)
            if not errors:
                try:
                    lifecycle.transfer(member, target, on, form["note"], current_user)
                except ValidationError as exc:
                    errors["to_org"] = exc.message
                else:
                    flash(f"Đã chuyển {member.full_name} sang {member.org_name}.", "success")
                    return redirect(url_for(".details_view", id=member.pk))
        return self.render("members/transfer.html", member=member, cells=cells, form=form, errors=errors,
                           units=self._other_units(member), orders=lifecycle.TransferOrder.objects(member=member))

    @expose("/roles/", methods=("GET", "POST"))
    def roles_view(self) -> Any:
        """Grant a role for a term, or end one; at most one Bí thư per unit at any date."""
        member = self.get_one(request.args.get("id", ""))
        if not self.has_change_permission(current_user, member):
            abort(404)
        form, error = {k: request.form.get(k, "") for k in ("role", "start", "end", "index")}, None
        if request.method == "POST":
            before = [(g.role, g.start, g.end) for g in member.role_grants]
            try:
                start, end = normalize.date(form["start"]), normalize.date(form["end"])
                if form["index"]:  # end a running term
                    grant = member.role_grants[int(form["index"])]
                    grant.end = normalize.to_datetime(end or normalize.today())
                else:
                    if form["role"] not in _ROLE_LABELS or start is None:
                        raise ValidationError("Hãy chọn chức vụ và ngày bắt đầu.")
                    member.role_grants.append(RoleGrant(role=form["role"], unit=member.organisation, start=start, end=end))
                members.save(member, by=current_user, detail="Chức vụ trong cấp ủy", changes=[
                    {"field": "role_grants", "before": str(before),
                     "after": str([(g.role, g.start, g.end) for g in member.role_grants])}])
            except (ValidationError, normalize.NormalizeError, ValueError, IndexError) as exc:
                member.reload()
                error = "; ".join(str(v) for v in exc.to_dict().values()) if getattr(exc, "errors", None) else (
                    getattr(exc, "message", None) or str(exc))
            else:
                flash("Đã cập nhật chức vụ.", "success")
                return redirect(url_for(".details_view", id=member.pk))
        return self.render("members/roles.html", member=member, roles=ROLES, labels=_ROLE_LABELS, form=form, error=error)

    @staticmethod
    def _other_units(member: Member) -> Any:
        """Destinations of a transfer between committees: units anywhere in the tree outside
        the officer's own subtree (an admin: outside the person's own unit path)."""
        root = scope.scope_root(current_user)
        qs = Organisation.objects.order_by("tree_key").only("name", "path_names", "kind", "scope")
        if scope.sees_everything(current_user):
            return [o for o in qs if o.pk not in member.scope]
        return qs.filter(scope__ne=root)

    @expose("/transfer-out/", methods=("POST",))
    def transfer_out_view(self) -> Any:
        """Create a transfer to another committee; the receiver accepts or returns it."""
        member = self.get_one(request.args.get("id", ""))
        if not self.has_change_permission(current_user, member):
            abort(404)
        raw = request.form.get("to_unit", "")
        unit = Organisation.objects(pk=raw).first() if _oid(raw) else None
        try:
            on = normalize.date(request.form.get("on", "")) or normalize.today()
            order = lifecycle.send(member, unit, on, request.form.get("decision_number"), request.form.get("note"),
                                   current_user)
        except (ValidationError, normalize.NormalizeError) as exc:
            flash(f"Không chuyển được: {getattr(exc, 'message', None) or exc}", "error")
            return redirect(url_for(".transfer_view", id=member.pk))
        flash(f"Đã gửi chuyển sinh hoạt {member.full_name} đến {order.to_name}; chờ đơn vị đó tiếp nhận.", "success")
        return redirect(url_for("transfers.index", side="outgoing"))


def _oid(value: str) -> bool:
    from bson import ObjectId

    return ObjectId.is_valid(value)
