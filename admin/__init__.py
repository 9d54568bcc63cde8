"""The administration panel: one ``Admin`` per application, views registered here."""

from __future__ import annotations

from flask import Flask
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user

from models import Meeting, Member, Organisation, PartyDocument, Site, SocialAccount, User
from services import scope

from . import auth, i18n
from .accounts import SiteView, SocialAccountView
from .members import MemberView
from .organisations import OrganisationView
from .party_work import MeetingView, PartyDocumentView
from .users import UserView


class HomeView(AdminIndexView):
    def is_accessible(self) -> bool:
        return scope.scope_root(current_user) is not None

    def inaccessible_callback(self, name: str, **kwargs: object) -> object:
        from .base import SecuredModelView

        return SecuredModelView.inaccessible_callback(self, name, **kwargs)  # type: ignore[arg-type]

    @expose("/")
    def index(self) -> str:
        return self.render("panel/index.html")


def build_admin(app: Flask) -> Admin:
    """A fresh ``Admin`` and fresh views for each application (the factory runs twice in tests)."""
    admin = Admin(app, name=app.config["ORG_NAME"],
                  theme=Bootstrap4Theme(base_template="panel/layout.html", fluid=True),
                  index_view=HomeView(name="Trang chủ", url="/admin/", template="panel/index.html"))
    admin.add_view(OrganisationView(Organisation, name="Tổ chức đảng", endpoint="organisation"))
    admin.add_view(MemberView(Member, name="Cán bộ, đảng viên", endpoint="member"))
    admin.add_view(SiteView(Site, name="Trang web, blog", endpoint="site", category="Biểu mẫu"))
    admin.add_view(SocialAccountView(SocialAccount, name="Tài khoản mạng xã hội", endpoint="socialaccount", category="Biểu mẫu"))
    admin.add_view(PartyDocumentView(PartyDocument, name="Văn bản", endpoint="partydocument", category="Công tác đảng"))
    admin.add_view(MeetingView(Meeting, name="Sinh hoạt, hội họp", endpoint="meeting", category="Công tác đảng"))
    admin.add_view(UserView(User, name="Tài khoản người dùng", endpoint="user", category="Hệ thống"))
    return admin


def init_app(app: Flask) -> None:
    i18n.init_app()
    auth.init_app(app)
    app.extensions["panel_admin"] = build_admin(app)
