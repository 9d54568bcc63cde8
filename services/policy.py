"""The one role policy: what each role may do. Role names are compared here and nowhere else.

Every screen's ``has_*_permission``/``is_accessible``, every service and every CLI command
asks :func:`can`. *Which records* a user sees (their unit's subtree, classified documents)
is :mod:`services.scope`'s answer (and :mod:`services.party_docs`'); this module answers
*may this role do this*, and for the few rules that depend on the object, *to this one*.
Deny by default: anonymous, inactive, a role we do not know, an unknown action.
"""

from __future__ import annotations

from typing import Any

from models.user import ADMIN, OFFICER, ROLES, VIEWER

__all__ = ["ADMIN", "OFFICER", "VIEWER", "ROLES", "ALL_ROLES", "WRITE_ROLES", "can", "role", "is_admin"]

ALL_ROLES = (ADMIN, OFFICER, VIEWER)
WRITE_ROLES = (ADMIN, OFFICER)

VIEW = "view"  # open a screen, read the records in scope
CHANGE = "change"  # add, edit, delete records in scope
WORK = "work"  # the officers' screens: imports, transfers, bin, audit trail, user accounts, classified documents
ADMINISTER = "administer"  # the whole tree: restructure, top-level units, purge, raw audit entries, (un)lock accounts
EDIT_UNIT = "edit_unit"  # obj: an organisation; nobody but an administrator edits their own unit
#: obj: an organisation; its printed names (title and signature blocks): its own officers sign its reports
EDIT_TITLES = "edit_titles"
MANAGE_USER = "manage_user"  # obj: a user account
GRANT_ROLE = "grant_role"  # obj: the role name granted

_ROLES_FOR = {VIEW: ALL_ROLES, CHANGE: WRITE_ROLES, WORK: WRITE_ROLES, ADMINISTER: (ADMIN,)}
#: roles an officer may grant (never ``admin``)
OFFICER_GRANTS = (OFFICER, VIEWER)


def role(user: Any) -> str | None:
    """The user's role when signed in, active and holding a role we know; else None."""
    try:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        held = getattr(user, "role", None)
    except Exception:  # a broken user object denies, never widens
        return None
    return held if held in ALL_ROLES else None


def is_admin(user: Any) -> bool:
    return role(user) == ADMIN


def _unit(user: Any) -> Any:
    try:
        return user.organisation.pk if user.organisation is not None else None
    except Exception:
        return None


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` (to ``obj``, for the actions about one object)?"""
    held = role(user)
    if held is None:
        return False
    if action in _ROLES_FOR:
        return held in _ROLES_FOR[action]
    if held not in WRITE_ROLES:
        return False
    if action == EDIT_UNIT:  # "you cannot edit your own unit": officers manage units strictly below
        return held == ADMIN or obj is None or getattr(obj, "pk", obj) != _unit(user)
    if action == EDIT_TITLES:  # the unit's own business; the level above uses EDIT_UNIT's form
        return held == ADMIN or (obj is not None and getattr(obj, "pk", obj) == _unit(user))
    if action == GRANT_ROLE:
        return held == ADMIN or obj in OFFICER_GRANTS
    if action == MANAGE_USER:
        return _manages_user(user, held, obj)
    raise ValueError(f"unknown action {action!r}")


def _manages_user(user: Any, held: str, obj: Any) -> bool:
    """Administrators manage every account. An officer manages the accounts strictly below
    their unit and the viewers of their own unit; never an administrator, another officer
    of their own unit, nor themselves."""
    if held == ADMIN or obj is None:
        return True
    if obj.role == ADMIN or obj.pk == user.pk:
        return False
    return getattr(obj.organisation, "pk", None) != _unit(user) or obj.role == VIEWER


def same_role(user: Any, other_role: str | None) -> bool:
    """Whether ``user`` holds ``other_role`` (an account may not change its own role)."""
    return getattr(user, "role", None) in (other_role,)
