"""Who may open a screen: one rule for model views and the panel's own pages.

A screen names the roles that may read it; everything else (anonymous, inactive, a
broken organisation, a foreign id) is refused the same way everywhere: a redirect to
the login page for visitors, 403 with an audit entry for signed-in users, 404 for an
organisation outside the user's scope.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView
from flask_login import current_user

from models import Organisation
from services import audit, scope

ALL_ROLES = ("admin", "officer", "viewer")
WRITE_ROLES = ("admin", "officer")


def clean_request_line() -> str:
    return f"{request.method} {request.full_path}"


def deny(endpoint: str | None, what: str) -> None:
    """Refuse with 403 and leave an audit entry saying who tried what."""
    audit.record("denied", collection=endpoint, detail=f"{clean_request_line()} ({what})")
    abort(403)


def org_or_404(value: str | None) -> Organisation:
    """An organisation in the user's scope, else 404 (a foreign one looks like a missing one)."""
    if not value or not ObjectId.is_valid(value):
        abort(404)
    org = scope.organisations(current_user).filter(pk=ObjectId(value)).first()
    if org is None:
        abort(404)
    return org


class PanelAccess:
    """Mixin for every Flask-Admin view of the panel."""

    read_roles: tuple[str, ...] = ALL_ROLES

    def is_accessible(self) -> bool:
        return scope.scope_root(current_user) is not None and current_user.role in self.read_roles

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        deny(getattr(self, "endpoint", None), name)


class PanelView(PanelAccess, BaseView):
    """A page of the panel that is not a model list (look-up, reports, import, bin)."""


class PanelIndexView(PanelAccess, AdminIndexView):
    """The home page."""
