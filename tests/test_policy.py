"""The one role policy (services/policy.py): its answers, and that nobody else compares roles."""

from __future__ import annotations

import pathlib
import re
from types import SimpleNamespace

import pytest

from services import policy

ROOT = pathlib.Path(__file__).resolve().parent.parent
UNIT, OTHER = SimpleNamespace(pk="unit"), SimpleNamespace(pk="below")


def _user(role: str | None, *, active: bool = True, unit: SimpleNamespace = UNIT, pk: str = "me") -> SimpleNamespace:
    return SimpleNamespace(role=role, is_authenticated=True, is_active=active, organisation=unit, pk=pk)


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", {"view", "change", "work", "administer"}),
    ("officer", {"view", "change", "work"}),
    ("viewer", {"view"}),
    ("superuser", set()),  # a role we do not know
    (None, set()),
])
def test_each_role_may_do_exactly_its_actions(role, expected):
    """Ensure that each role may do exactly the actions of its row, and nothing else."""
    actions = {policy.VIEW, policy.CHANGE, policy.WORK, policy.ADMINISTER}
    assert {a for a in actions if policy.can(_user(role), a)} == expected


def test_anonymous_and_inactive_may_do_nothing():
    anonymous = SimpleNamespace(is_authenticated=False, is_active=True, role="admin")
    for user in (None, anonymous, _user("admin", active=False)):
        assert not any(policy.can(user, a) for a in (policy.VIEW, policy.CHANGE, policy.ADMINISTER))
        assert policy.role(user) is None


def test_an_unknown_action_is_an_error_not_a_yes():
    with pytest.raises(ValueError):
        policy.can(_user("officer"), "launch")


def test_nobody_but_an_administrator_edits_their_own_unit():
    """Ensure that "you cannot edit your own unit" is one rule: officers edit units below only."""
    assert not policy.can(_user("officer"), policy.EDIT_UNIT, UNIT)
    assert policy.can(_user("officer"), policy.EDIT_UNIT, OTHER)
    assert policy.can(_user("admin"), policy.EDIT_UNIT, UNIT)
    assert not policy.can(_user("viewer"), policy.EDIT_UNIT, OTHER)


def test_officers_grant_officer_and_viewer_only():
    officer = _user("officer")
    assert [r for r in policy.ALL_ROLES if policy.can(officer, policy.GRANT_ROLE, r)] == ["officer", "viewer"]
    assert all(policy.can(_user("admin"), policy.GRANT_ROLE, r) for r in policy.ALL_ROLES)


def test_officers_manage_accounts_below_and_own_viewers_only():
    officer = _user("officer")
    below_officer = _user("officer", unit=OTHER, pk="b")
    own_viewer, own_officer = _user("viewer", pk="v"), _user("officer", pk="o")
    assert policy.can(officer, policy.MANAGE_USER, below_officer)
    assert policy.can(officer, policy.MANAGE_USER, own_viewer)
    assert not policy.can(officer, policy.MANAGE_USER, own_officer)
    assert not policy.can(officer, policy.MANAGE_USER, officer)  # never themselves
    assert not policy.can(officer, policy.MANAGE_USER, _user("admin", unit=OTHER, pk="a"))
    assert policy.can(_user("admin"), policy.MANAGE_USER, own_officer)


# a user's role (``user.role``, ``current_user.role``…; ``g.role`` is a party post) compared,
# or a role name compared with anything
_COMPARISON = re.compile(r"""\b(user|current_user|obj|model|principal|self)\.role\s*(==|!=|in\b|not\s+in\b)"""
                         r"""|["'](admin|officer|viewer)["']\s*(==|!=|in\b)|(==|!=)\s*["'](admin|officer|viewer)["']"""
                         r"""|\bin\s*\(\s*["'](admin|officer|viewer)["']""")


def test_role_names_are_compared_only_in_the_policy():
    """Ensure that no module or template but services/policy.py compares a user's role
    (party posts such as ``bi_thu`` are compared as (post, unit) pairs, not roles)."""
    found = []
    for folder in ("admin", "services", "models", "app.py"):
        base = ROOT / folder
        files = [base] if base.is_file() else [*base.rglob("*.py"), *base.rglob("*.html")]
        for path in files:
            if path.name == "policy.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _COMPARISON.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)
