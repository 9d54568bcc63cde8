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
from services import audit, policy, scope

ALL_ROLES, WRITE_ROLES = policy.ALL_ROLES, policy.WRITE_ROLES  # kept for callers: the roles live in policy


def clean_request_line() -> str:
    return f"{request.method} {request.full_path}"


def deny(endpoint: str | None, what: str) -> None:
    """Refuse with 403 and leave an audit entry saying who tried what."""
    audit.record("denied", collection=endpoint, detail=f"{clean_request_line()} ({what})")
    abort(403)


def not_found(collection: str | None, ids: list[Any], model: Any = None, file_field: str | None = None) -> None:
    """Refuse a record the user may not see, exactly as a record that does not exist:
    404, the same page, and the same audit entry (the actor's trail only, the ids as
    given), so no answer tells whether the id exists in another organisation."""
    audit.record("denied", collection=collection, ids=[str(i)[:64] for i in ids], detail=clean_request_line())
    if model is not None:  # the owners of a probed record learn of it, in their trail only
        valid = [i for i in ids if ObjectId.is_valid(str(i))]
        if file_field is None:
            foreign = list(model.objects(pk__in=valid).only("scope")) if valid else []
        else:  # equality on the list of files matches the record holding that file
            foreign = [d for i in valid for d in model.objects(**{file_field: ObjectId(i)}).only("scope")]
        if foreign:
            audit.record("denied", records=foreign, detail=clean_request_line(), records_only=True)
    abort(404)


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

    #: the policy action that opens the screen (``policy.VIEW``: every role)
    read_action: str = policy.VIEW

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        """May ``user`` open this screen (and see ``obj``, when given)? Deny by default."""
        if scope.scope_root(user) is None or not policy.can(user, self.read_action):
            return False
        return obj is None or scope.can_see(user, obj)

    def is_accessible(self) -> bool:
        return self.has_view_permission(current_user)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        deny(getattr(self, "endpoint", None), name)


class PanelView(PanelAccess, BaseView):
    """A page of the panel that is not a model list (look-up, reports, import, bin)."""


class PanelIndexView(PanelAccess, AdminIndexView):
    """The home page."""
