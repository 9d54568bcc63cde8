"""Details pages that answer an officer's questions: for a person, their sites, accounts,
transfers and the meetings they attended; for a unit, its units, people and figures.
Every related record is read through the user's scope and linked to its own page."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user

from models import Meeting, Member, Organisation, Site, SocialAccount, normalize
from models.member import STATUSES
from services import scope

from .labels import domain_text, org_label

LIMIT = 50
_STATUS = dict(STATUSES)


def _link(endpoint: str, pk: Any, text: str) -> dict:
    return {"href": url_for(f"{endpoint}.details_view", id=pk), "text": text}


def _more(endpoint: str, count: int, **args: Any) -> str | None:
    return url_for(f"{endpoint}.index_view", **args) if count > LIMIT else None


def member_sections(member: Member) -> list[dict]:
    sites = scope.visible(Site, current_user).filter(member=member.pk)
    accounts = scope.visible(SocialAccount, current_user).filter(member=member.pk)
    # narrowed first by the indexed scope of the person's unit, then by the roll call
    meetings = scope.visible(Meeting, current_user).filter(
        scope=member.scope[-1] if member.scope else None, attendance__member=member.pk).order_by("-held_on")
    return [
        {"key": "sites", "title": "Trang web, blog", "header": ["Tên trang", "Tên miền", "Mục đích"],
         "rows": [[_link("site", s.pk, s.site_name or "(chưa đặt tên)"), domain_text(s.domain), s.purpose or ""]
                  for s in sites.limit(LIMIT)]},
        {"key": "accounts", "title": "Tài khoản mạng xã hội", "header": ["Mạng xã hội", "Tên tài khoản", "Đường dẫn"],
         "rows": [[a.platform or "", _link("socialaccount", a.pk, a.account_name or "(chưa đặt tên)"),
                   {"href": a.url, "text": a.link_text, "external": True} if (a.url or "").startswith("http") else a.url or ""]
                  for a in accounts.limit(LIMIT)]},
        {"key": "transfers", "title": "Quá trình chuyển sinh hoạt", "header": ["Ngày", "Từ", "Đến", "Ghi chú"],
         "rows": [[normalize.format_date(t.on), t.from_name or "", t.to_name or "", t.note or ""] for t in member.transfers],
         "empty": "Chưa chuyển sinh hoạt lần nào."},
        {"key": "meetings", "title": "Sinh hoạt, hội họp đã dự", "header": ["Ngày họp", "Chủ đề", "Có mặt"],
         "rows": [[normalize.format_date(m.held_on), _link("meeting", m.pk, m.topic or ""),
                   next(("Có mặt" if a.present else f"Vắng ({a.absence_reason or ''})"
                         for a in m.attendance if a.member is not None and a.member.pk == member.pk), "")]
                  for m in meetings.limit(LIMIT)]},
    ]


def organisation_sections(org: Organisation) -> list[dict]:
    units = scope.organisations(current_user).filter(parent=org.pk).order_by("tree_key")
    people = scope.visible(Member, current_user).filter(scope=org.pk)
    sites = scope.visible(Site, current_user).filter(scope=org.pk)
    accounts = scope.visible(SocialAccount, current_user).filter(scope=org.pk)
    n_people, n_active = people.count(), people.filter(status="active").count()
    flt = {"flt0_0": str(org.pk)}
    return [
        {"key": "figures", "title": "Số liệu (gồm các đơn vị trực thuộc)", "header": ["Chỉ tiêu", "Số lượng"],
         "rows": [["Người trong danh sách", {"href": url_for("member.index_view", **flt), "text": n_people}],
                  ["Đang sinh hoạt", n_active],
                  ["Trang web, blog", {"href": url_for("site.index_view", **flt), "text": sites.count()}],
                  ["Tài khoản mạng xã hội", {"href": url_for("socialaccount.index_view", **flt), "text": accounts.count()}]]},
        {"key": "units", "title": "Đơn vị trực thuộc", "header": ["Tên", "Mã"],
         "rows": [[_link("organisation", u.pk, u.label), u.code] for u in units.limit(LIMIT)],
         "more": _more("organisation", units.count(), **flt), "empty": "Không có đơn vị trực thuộc."},
        {"key": "people", "title": "Người trong danh sách", "header": ["Họ và tên", "Đơn vị", "Chức vụ", "Trạng thái"],
         "rows": [[_link("member", p.pk, p.full_name), org_label(p)[0], p.position or "", _STATUS.get(p.status, p.status or "")]
                  for p in people.order_by("org_key", "sort_key").limit(LIMIT)],
         "more": _more("member", n_people, **flt)},
    ]
