"""Organisation tree screen."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_login import current_user
from markupsafe import Markup
from mongoengine import ValidationError

from models import OrganisationNotEmpty
from models.organisation import KINDS, LEVELS
from services import scope

from . import details
from .base import SecuredModelView
from .filters import ChoiceFilter, OrgSubtreeFilter


def _tree_name(view: Any, context: Any, model: Any, name: str) -> Markup:
    return Markup('<span style="padding-left:{0}em">{1}</span>').format((model.depth or 0) * 1.5, model.name)


class OrganisationView(SecuredModelView):
    column_list = ["name", "code", "kind", "level", "path"]
    column_details_list = ["code", "name", "kind", "level", "path", "place", "created_at"]
    column_labels = {"name": "Tên tổ chức", "code": "Mã", "kind": "Loại", "level": "Cấp",
                     "path": "Trực thuộc", "parent": "Tổ chức cấp trên", "place": "Địa danh (in trên biểu mẫu)",
                     "created_at": "Ngày tạo"}
    column_formatters = {"name": _tree_name, "path": lambda v, c, m, n: Markup('<span title="{0}">{1}</span>').format(
                             m.path, " › ".join(m.path_names[:-1]))}
    column_formatters_detail = {**column_formatters, "name": lambda v, c, m, n: m.name}  # no tree indent
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
        if not super().has_change_permission(user, obj):
            return False
        return user.role == "admin" or obj is None or obj.pk != scope.scope_root(user)

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        if model.parent is None and current_user.role != "admin":
            raise ValidationError("Chỉ quản trị hệ thống được tạo tổ chức cấp cao nhất.")
        if model.parent is not None and not scope.can_see(current_user, model.parent):
            raise ValidationError("Tổ chức cấp trên nằm ngoài phạm vi quản lý của bạn.")
        if current_user.role != "admin" and model.pk == scope.scope_root(current_user):
            raise ValidationError("Bạn không thể sửa tổ chức của chính mình.")

    def delete_model(self, model: Any) -> bool:
        if not self.has_change_permission(current_user, model):
            flash("Bạn không có quyền giải thể tổ chức này.", "error")
            return False
        try:
            self.on_model_delete(model)
            model.delete()
        except OrganisationNotEmpty as exc:
            flash(str(exc), "error")
            return False
        self.after_model_delete(model)
        return True
