"""Cadres and party members screen."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from models import Member
from models.member import GENDERS, ROLES, STATUSES

from .base import SecuredModelView
from .filters import BoolFilter, ChoiceFilter, EmptyFilter, OrgSubtreeFilter, QualityFilter, date_range

_ROLE_LABELS = dict(ROLES)


def _roles(view: Any, context: Any, model: Any, name: str) -> str:
    return ", ".join(_ROLE_LABELS.get(r, r) for r in model.roles or [])


class MemberView(SecuredModelView):
    column_list = ["full_name", "org_name", "position", "phone", "email", "status", "roles", "is_party_member"]
    column_details_list = ["full_name", "org_name", "position", "is_party_member", "date_of_birth", "gender",
                           "party_card_number", "admission_date", "official_date", "phone", "email",
                           "status", "roles", "joined_on", "left_on", "left_reason", "notes", "quality_issues",
                           "modified_at"]
    column_labels = {
        "full_name": "Họ và tên", "org_name": "Chi bộ", "organisation": "Chi bộ", "position": "Cấp bậc, chức vụ",
        "phone": "Số điện thoại", "email": "Email", "status": "Trạng thái", "roles": "Chức vụ trong cấp ủy",
        "is_party_member": "Là đảng viên", "date_of_birth": "Ngày sinh", "gender": "Giới tính",
        "party_card_number": "Số thẻ đảng viên", "admission_date": "Ngày vào Đảng",
        "official_date": "Ngày chính thức", "joined_on": "Ngày vào danh sách", "left_on": "Ngày rời danh sách",
        "left_reason": "Lý do rời", "notes": "Ghi chú", "quality_issues": "Lỗi dữ liệu", "modified_at": "Cập nhật lúc",
    }
    column_choices = {"status": STATUSES, "gender": GENDERS}
    column_formatters = {"roles": _roles,
                         "quality_issues": lambda v, c, m, n: Markup("<br>").join(m.quality_issues or [])}
    column_sortable_list = [("full_name", "sort_key"), "org_name", "status"]
    column_default_sort = [("org_name", False), ("sort_key", False)]
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
