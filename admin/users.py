"""Officer accounts screen (administrators, and officers within their subtree)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from mongoengine import ValidationError
from wtforms import PasswordField
from wtforms.validators import Optional

from models.user import ROLES
from services import passwords

from .base import SecuredModelView
from .filters import BoolFilter, ChoiceFilter, OrgSubtreeFilter


class UserView(SecuredModelView):
    column_list = ["username", "full_name", "organisation", "role", "active", "last_login_at"]
    column_labels = {"username": "Tên đăng nhập", "full_name": "Họ và tên", "organisation": "Tổ chức",
                     "role": "Vai trò", "active": "Đang hoạt động", "last_login_at": "Đăng nhập lần cuối",
                     "new_password": "Mật khẩu mới"}
    column_details_list = column_list
    column_choices = {"role": ROLES}
    column_formatters = {"organisation": lambda v, c, m, n: m.organisation.name if m.organisation else ""}
    column_filters = [OrgSubtreeFilter(), ChoiceFilter("role", "Vai trò", ROLES), BoolFilter("active", "Đang hoạt động")]
    column_searchable_list = ["username"]
    form_columns = ["username", "full_name", "organisation", "role", "active", "new_password"]
    form_extra_fields = {"new_password": PasswordField("Mật khẩu mới", validators=[Optional()])}
    form_choices = {"role": ROLES}
    form_ajax_refs = {"organisation": {"fields": ["search_keys"], "placeholder": "Gõ tên tổ chức"}}
    read_roles = ("admin", "officer")
    can_view_details = False

    def init_search(self) -> bool:
        return False

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        if current_user.role != "admin" and model.role == "admin":
            raise ValidationError("Chỉ quản trị hệ thống được cấp vai trò quản trị hệ thống.")
        password = form.new_password.data
        if password:
            problem = passwords.problem(password, model.username)
            if problem:
                raise ValidationError(problem)
            model.set_password(password)
        elif is_created:
            raise ValidationError("Mật khẩu mới: bắt buộc khi tạo tài khoản.")
        if not model.active:
            model.session_token = passwords.new_token()  # deactivation ends every session
