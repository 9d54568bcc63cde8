"""Saving a person: the write path of the member family (screens, imports, CLI, demo).

``Member.save()`` writes the member and nothing else. :func:`save` is what every writer
calls: it writes (through :mod:`services.records`, audited once) and then does the
follow-up work as explicit steps — the handbook proposals of Điều 6 khoản 2
(:func:`models.handbook.after_member_saved`) and copying what the person's sites, accounts
and tasks show of them (:func:`follow`).
"""

from __future__ import annotations

from typing import Any

from models import Member, Site, SocialAccount, Task
from models.handbook import after_member_saved
from services import records

#: what a member's sites and accounts copy of them (columns (2)–(4) of the forms, and
#: whether the owner is still in the register and a party member)
SHOWN_BY_ACCOUNTS = frozenset({"full_name", "position", "organisation", "status", "is_party_member"})


def save(member: Member, *, by: Any = None, detail: str | None = None, before: dict | None = None,
         changes: list[dict] | None = None, expected_version: Any = None, strict: bool = True,
         audited: bool = True, username: str | None = None, quiet_handbook: bool = False,
         keeps_handbook: bool = False) -> Member:
    """Write ``member`` (one audit entry unless ``audited=False``: a bulk writer audits its run),
    then the handbook rules (``quiet_handbook``: an old roster without dates is no wave of
    admissions; ``keeps_handbook``: a transfer keeps the platform account) and the copies."""
    created = member.pk is None or bool(getattr(member, "_created", False))
    changed = set(getattr(member, "_changed_fields", None) or [])
    before_status = None if created else stored_status(member, changed)
    if audited:  # ``changes``: the caller words the change (a term of office, a transfer)
        records.save(member, by=by, detail=detail, before=before, changes=changes, expected_version=expected_version,
                     strict=strict, username=username)
    else:
        records.write(member, expected_version=expected_version, strict=strict)
    if not quiet_handbook:
        after_member_saved(member, created, before_status, keeps_handbook=keeps_handbook)
    if not created:
        follow(member, changed)
    return member


def follow(member: Member, changed: set[str]) -> None:
    """Copy a person's change to their few sites and accounts (and their name to their tasks).
    A moved organisation is followed by ``refresh_subtree`` instead (bulk, by organisation)."""
    if not changed & SHOWN_BY_ACCOUNTS:
        return
    for model in (Site, SocialAccount):
        for doc in model.objects(member=member):
            doc.save_legacy() if doc.quality_issues else doc.save()
    if "full_name" in changed:
        for task in Task.objects(member=member):  # the name shown and searched on their tasks
            task.save()


def stored_status(member: Member, changed: set[str]) -> str | None:
    """The status as stored before this change (the handbook rules look at the change)."""
    if "status" not in changed:
        return member.status
    stored = Member.objects(pk=member.pk).only("status").as_pymongo().first()
    return stored.get("status") if stored else None
