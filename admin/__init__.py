"""The administration panel: one ``Admin`` per application, views registered here."""

from __future__ import annotations

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from models import (
    Meeting,
    Member,
    Organisation,
    PartyDocument,
    Site,
    SocialAccount,
    StudyCampaign,
    Task,
    User,
    normalize,
)
from models.audit import AuditEntry
from services import policy

from . import auth, errors, i18n, labels
from .accounts import SiteView, SocialAccountView
from .audit import AuditView
from .dashboard import DashboardView
from .handbook import HandbookView
from .imports import ImportView
from .lookup import LookupView
from .members import MemberView
from .organisations import OrganisationView
from .party_reports import CalendarView, PartyReportsView
from .party_study import StudyCampaignView
from .party_tasks import TaskView
from .party_work import IncomingDocumentView, MeetingView, PartyDocumentView
from .reports import ReportsView
from .transfers import TransferOrdersView
from .trash import TrashView
from .users import UserView


def build_admin(app: Flask) -> Admin:
    """A fresh ``Admin`` and fresh views for each application (the factory runs twice in tests)."""
    admin = Admin(app, name=app.config["ORG_NAME"],
                  theme=Bootstrap4Theme(base_template="panel/layout.html", fluid=True),
                  index_view=DashboardView(name="Trang chủ", url="/admin", template="panel/index.html"))
    admin.add_view(LookupView(name="Tra cứu", endpoint="lookup", url="/admin/lookup/"))
    admin.add_view(OrganisationView(Organisation, name="Tổ chức đảng", endpoint="organisation"))
    admin.add_view(MemberView(Member, name="Cán bộ, đảng viên", endpoint="member"))
    admin.add_view(SiteView(Site, name="Trang web, blog", endpoint="site", category="Biểu mẫu"))
    admin.add_view(SocialAccountView(SocialAccount, name="Tài khoản mạng xã hội", endpoint="socialaccount", category="Biểu mẫu"))
    admin.add_view(ImportView(name="Nhập từ Excel", endpoint="imports", url="/admin/imports/", category="Biểu mẫu"))
    admin.add_view(TransferOrdersView(name="Chuyển sinh hoạt", endpoint="transfers", url="/admin/transfers/"))
    admin.add_view(HandbookView(name="Đề nghị tài khoản Sổ tay", endpoint="handbook", url="/admin/handbook/"))
    admin.add_view(ReportsView(name="Báo cáo", endpoint="reports", url="/admin/reports/"))
    admin.add_view(PartyDocumentView(PartyDocument, name="Văn bản đi", endpoint="partydocument", category="Công tác đảng"))
    admin.add_view(MeetingView(Meeting, name="Sinh hoạt, hội họp", endpoint="meeting", category="Công tác đảng"))
    # issue 14: party work of the platform regulation (Điều 7–10, Điều 12 khoản 5)
    admin.add_view(IncomingDocumentView(PartyDocument, name="Văn bản đến", endpoint="incomingdocument",
                                        url="/admin/van-ban-den/", category="Công tác đảng"))
    admin.add_view(StudyCampaignView(StudyCampaign, name="Học tập nghị quyết", endpoint="studycampaign",
                                     category="Công tác đảng"))
    admin.add_view(TaskView(Task, name="Nhiệm vụ được giao", endpoint="task", category="Công tác đảng"))
    admin.add_view(PartyReportsView(name="Báo cáo sinh hoạt, nhiệm vụ", endpoint="partyreports",
                                    url="/admin/bao-cao-cong-tac-dang/", category="Công tác đảng"))
    admin.add_view(CalendarView(name="Lịch công tác", endpoint="calendar", url="/admin/lich-cong-tac/",
                                category="Công tác đảng"))
    admin.add_view(UserView(User, name="Tài khoản người dùng", endpoint="user", category="Hệ thống"))
    admin.add_view(AuditView(AuditEntry, name="Nhật ký", endpoint="audit", category="Hệ thống"))
    admin.add_view(TrashView(name="Thùng rác", endpoint="trash", url="/admin/trash/", category="Hệ thống"))
    return admin


def init_app(app: Flask) -> None:
    i18n.init_app()
    auth.init_app(app)
    app.extensions["panel_admin"] = build_admin(app)
    errors.init_app(app)
    app.jinja_env.globals["can"] = policy.can  # templates ask the same policy as the views
    app.jinja_env.filters["moment"] = normalize.format_moment
    app.jinja_env.filters["day"] = normalize.format_day  # a timestamp's date in Vietnam
    app.jinja_env.filters["unit_label"] = lambda record: labels.org_label(record)[0]
