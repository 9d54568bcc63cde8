"""Officer accounts screen.

Administrators manage every account. An officer manages the accounts strictly below
their own unit (officers and viewers) and the viewers of their own unit; never an
administrator, another officer of their own unit, nor themselves (their own password
is changed on the password page). Only administrators deactivate accounts; nobody
deletes one (the audit trail names it). Changing one's own password here (an
administrator) asks for the current password.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from mongoengine import ValidationError
from wtforms import PasswordField
from wtforms.validators import Optional

from models.user import ROLES
from services import passwords, policy, scope

from .base import SecuredModelView
from .filters import BoolFilter, ChoiceFilter, OrgSubtreeFilter
from .labels import org_column

OFFICER_GRANTS = policy.OFFICER_GRANTS  # kept for callers


class UserView(SecuredModelView):
    column_list = ["username", "full_name", "organisation", "role", "active", "last_login_at"]
    column_labels = {"username": "Tên đăng nhập", "full_name": "Họ và tên", "organisation": "Tổ chức",
                     "role": "Vai trò", "active": "Đang hoạt động", "last_login_at": "Đăng nhập lần cuối",
                     "new_password": "Mật khẩu mới", "current_password": "Mật khẩu hiện tại của bạn"}
    column_details_list = column_list
    column_formatters = {"organisation": org_column}
    column_filters = [OrgSubtreeFilter(), ChoiceFilter("role", "Vai trò", ROLES), BoolFilter("active", "Đang hoạt động")]
    column_searchable_list = ["username"]
    column_sortable_list = ["username", "role"]  # indexed; never the hash or the session token
    form_columns = ["username", "full_name", "organisation", "role", "active", "new_password", "current_password"]
    form_extra_fields = {"new_password": PasswordField(
                             "Mật khẩu mới", validators=[Optional()],
                             description="Bắt buộc khi tạo tài khoản. Khi sửa: để trống thì giữ nguyên mật khẩu cũ."),
                         "current_password": PasswordField(
                             "Mật khẩu hiện tại của bạn", validators=[Optional()],
                             description="Chỉ cần khi đổi mật khẩu của chính mình.")}
    form_choices = {"role": ROLES}
    form_ajax_refs = {"organisation": {"fields": ["search_keys"], "placeholder": "Gõ tên tổ chức"}}
    read_action = policy.WORK
    can_view_details = False

    def init_search(self) -> bool:
        return False

    # officers manage accounts of their subtree, never an administrator's; nobody deletes
    # an account (the audit trail names it): an administrator deactivates it instead
    can_delete = False
    action_disallowed_list = ["delete"]

    def has_change_permission(self, user: Any, obj: Any = None) -> bool:
        return super().has_change_permission(user, obj) and policy.can(user, policy.MANAGE_USER, obj)

    def has_delete_permission(self, user: Any, obj: Any = None) -> bool:
        return False

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        org = model.organisation
        if org is None or not scope.can_see(current_user, org):
            raise ValidationError("Tổ chức được chọn nằm ngoài phạm vi quản lý của bạn.")
        model.scope = list(org.scope)
        self._check_role_and_state(model, is_created)  # the specific messages first
        super().on_model_change(form, model, is_created)
        password = form.new_password.data
        if password and not is_created and model.pk == current_user.pk \
                and not current_user.check_password(form.current_password.data or ""):
            raise ValidationError("Mật khẩu hiện tại không đúng: đổi mật khẩu của chính mình phải nhập mật khẩu hiện tại.")
        if password:
            problem = passwords.problem(password, model.username)
            if problem:
                raise ValidationError(problem)
            model.set_password(password)
        elif is_created:
            raise ValidationError("Mật khẩu mới: bắt buộc khi tạo tài khoản.")
        if not model.active:
            model.session_token = passwords.new_token()  # deactivation ends every session

    def audit_detail(self, form: Any, model: Any) -> str | None:
        return "đặt mật khẩu mới" if form.new_password.data else None  # that it changed, never what it is

    @staticmethod
    def _check_role_and_state(model: Any, is_created: bool) -> None:
        changed = set(model._get_changed_fields() or []) if not is_created else set()
        toggled = (not model.active) if is_created else "active" in changed
        if not policy.can(current_user, policy.GRANT_ROLE, model.role):
            raise ValidationError("Cán bộ quản trị chỉ được cấp vai trò “Cán bộ quản trị” hoặc “Chỉ xem”.")
        if toggled and not policy.can(current_user, policy.ADMINISTER):
            raise ValidationError("Chỉ quản trị hệ thống được khóa hoặc mở khóa tài khoản.")
        if model.pk == current_user.pk and (not model.active or not policy.same_role(current_user, model.role)):
            raise ValidationError("Bạn không thể tự khóa hoặc tự đổi vai trò của chính mình.")
