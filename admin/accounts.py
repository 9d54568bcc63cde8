"""Form 1 (websites/blogs) and form 2 (social accounts) screens, in the official
column names and order."""

from __future__ import annotations

from models import Site, SocialAccount
from models.accounts import ADMIN_ROLES, LINK_TYPES, PLATFORMS, PURPOSES

from .base import SecuredModelView, escape_link
from .filters import ChoiceFilter, EmptyFilter, OrgSubtreeFilter, QualityFilter, date_range

_OWNER_LABELS = {"org_name": "Chi bộ", "member_name": "Họ và tên", "position": "Cấp bậc, chức vụ",
                 "member": "Họ và tên (người khai)", "quality_issues": "Lỗi dữ liệu"}
_AJAX_MEMBER = {"member": {"fields": ["search_keys"], "placeholder": "Gõ họ tên hoặc số điện thoại"}}


def _suggest(values: list[str]) -> dict:
    return {"description": "Ví dụ: " + ", ".join(values[:4])}


class SiteView(SecuredModelView):
    column_list = ["org_name", "member_name", "position", "site_name", "domain", "server_location",
                   "registration_phone", "registration_email", "established_on", "expires_on",
                   "updated_on", "purpose"]
    column_details_list = [*column_list, "quality_issues", "modified_at"]
    column_labels = {**_OWNER_LABELS,
                     "site_name": "Tên trang web/blog", "domain": "Tên miền",
                     "server_location": "IP máy chủ/vị trí địa lý", "registration_phone": "Số điện thoại đăng ký",
                     "registration_email": "Email đăng ký", "established_on": "Thời gian thiết lập",
                     "expires_on": "Thời hạn hết hạn", "updated_on": "Thời gian cập nhật cơ sở dữ liệu",
                     "purpose": "Mục đích sử dụng", "modified_at": "Sửa lần cuối"}
    column_formatters = {"domain": lambda v, c, m, n: escape_link(m.domain if "://" in (m.domain or "") else f"https://{m.domain}", m.domain)}
    column_sortable_list = ["org_name", ("member_name", "member_sort_key"), "established_on", "expires_on", "updated_on"]
    column_default_sort = [("org_name", False), ("member_sort_key", False)]
    column_filters = [
        OrgSubtreeFilter(),
        ChoiceFilter("purpose", "Mục đích sử dụng", [(p, p) for p in PURPOSES]),
        QualityFilter(Site),
        *date_range("established_on", "Thời gian thiết lập"),
        *date_range("expires_on", "Thời hạn hết hạn"),
        *date_range("updated_on", "Thời gian cập nhật"),
        EmptyFilter("registration_phone", "Số điện thoại đăng ký"),
    ]
    form_columns = ["member", "site_name", "domain", "server_location", "registration_phone",
                    "registration_email", "established_on", "expires_on", "updated_on", "purpose"]
    form_ajax_refs = _AJAX_MEMBER
    form_args = {"domain": {"description": "abc.com hoặc https://tenblog.blogspot.com"},
                 "server_location": {"description": "IP/quốc gia, ví dụ 123.124.125.124/Việt Nam"},
                 "purpose": _suggest(PURPOSES)}


class SocialAccountView(SecuredModelView):
    column_list = ["org_name", "member_name", "position", "platform", "account_name", "url",
                   "registration_phone", "registration_email", "established_on", "updated_on", "purpose"]
    column_details_list = [*column_list, "link_type", "admin_role", "quality_issues", "modified_at"]
    column_labels = {**_OWNER_LABELS,
                     "platform": "Loại mạng xã hội", "account_name": "Tên tài khoản",
                     "url": "Đường dẫn (Cá nhân/Trang/Hội nhóm...)", "link_type": "Loại đường dẫn",
                     "admin_role": "Vai trò (Trang/Hội nhóm)", "registration_phone": "Số điện thoại đăng ký",
                     "registration_email": "Email đăng ký", "established_on": "Thời gian thiết lập",
                     "updated_on": "Thời gian cập nhật cơ sở dữ liệu", "purpose": "Mục đích sử dụng",
                     "modified_at": "Sửa lần cuối"}
    column_choices = {"link_type": LINK_TYPES}
    column_formatters = {"url": lambda v, c, m, n: escape_link(m.url, m.link_text)}
    column_sortable_list = ["org_name", ("member_name", "member_sort_key"), "platform", "established_on", "updated_on"]
    column_default_sort = [("org_name", False), ("member_sort_key", False)]
    column_filters = [
        OrgSubtreeFilter(),
        ChoiceFilter("platform", "Loại mạng xã hội", [(p, p) for p in PLATFORMS]),
        ChoiceFilter("link_type", "Loại đường dẫn", LINK_TYPES),
        ChoiceFilter("purpose", "Mục đích sử dụng", [(p, p) for p in PURPOSES]),
        QualityFilter(SocialAccount),
        *date_range("established_on", "Thời gian thiết lập"),
        *date_range("updated_on", "Thời gian cập nhật"),
        EmptyFilter("registration_phone", "Số điện thoại đăng ký"),
    ]
    form_columns = ["member", "platform", "account_name", "url", "link_type", "admin_role",
                    "registration_phone", "registration_email", "established_on", "updated_on", "purpose"]
    form_ajax_refs = _AJAX_MEMBER
    form_choices = {"link_type": LINK_TYPES}
    form_args = {"url": {"description": "Ví dụ: https://www.facebook.com/nguyenvana"},
                 "admin_role": {"description": "Với Trang/Hội nhóm: " + ", ".join(ADMIN_ROLES[:3])},
                 "platform": _suggest(PLATFORMS), "purpose": _suggest(PURPOSES)}
