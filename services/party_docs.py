"""Documents up and down the tree: who may see which document, sending, receiving.

Outgoing ("Văn bản đi"): documents issued by a unit of the user's subtree, i.e. the one
scope rule of :mod:`services.scope`. Incoming ("Văn bản đến"): documents whose
``recipient_ids`` hold the user's own unit, an indexed equality match; a unit sees what
was sent to it and nothing else (a sibling unit's copy is not a match).

Classified documents (anything above "Thường") are further limited to officers of the
issuing unit and of the receiving units: never viewers, never a committee above that was
not itself an addressee, and every opening is written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from mongoengine import QuerySet

from models import Organisation, PartyDocument, normalize
from models.party_work import Recipient
from services import audit, policy, scope

OFFICER_ROLES = policy.WRITE_ROLES  # kept for callers: ask policy.can(user, policy.WORK)


def outgoing(user: Any) -> QuerySet:
    """Documents issued by units of the user's subtree (classified: only the unit's own):
    the one rule of :func:`services.scope.visible`."""
    return scope.visible(PartyDocument, user)


def incoming(user: Any) -> QuerySet:
    """Documents sent to the user's own unit (the confidentiality rule of :mod:`services.scope`)."""
    root = scope.scope_root(user)
    if root is None:
        return PartyDocument.objects(pk__in=[])
    return scope.confidential(PartyDocument.objects(recipient_ids=root, deleted_at=None), user, addressed=True)


def may_open(user: Any, doc: PartyDocument) -> bool:
    """A document not in the bin that :func:`services.scope.can_see` allows."""
    return doc is not None and doc.deleted_at is None and scope.can_see(user, doc)


def audit_opening(doc: PartyDocument, user: Any = None) -> None:
    """Every opening of a classified entry leaves a trace."""
    if doc.classified:
        # the entry names the record by its id only: the trail shows its number to who may see it
        audit.record("view", user=user, records=[doc], detail=f"Mở văn bản {doc.get_classification_display()}")


def below(user: Any, doc: PartyDocument) -> QuerySet:
    """The units directly below the issuing unit, those the user sees (where it sends down)."""
    issuer = doc.organisation
    if issuer is None or not scope.can_see(user, issuer):
        return Organisation.objects(pk__in=[])
    return scope.organisations(user).filter(parent=issuer.pk).order_by("tree_key")


def above(doc: PartyDocument) -> list[Organisation]:
    """The unit above the issuing unit (where it reports up)."""
    issuer = doc.organisation
    return [issuer.parent] if issuer is not None and issuer.parent is not None else []


def send(doc: PartyDocument, orgs: list[Organisation], user: Any = None) -> int:
    """Add ``orgs`` to the recipients (units already there are kept as they are)."""
    have = set(doc.recipient_ids or [])
    now = normalize.today_stored()  # the day it was sent, in Vietnam
    added = [o for o in orgs if o.pk not in have]
    for o in added:
        doc.recipients.append(Recipient(organisation=o, org_name=o.name, sent_on=now))
    if added:
        _save(doc)
        audit.record("update", user=user, records=[doc], detail="Gửi văn bản",
                     changes=[{"field": "recipients", "after": ", ".join(o.name for o in added)}])
    return len(added)


def mark(doc: PartyDocument, org_id: Any, what: str, user: Any = None) -> bool:
    """Set the recipient's ``received_on`` or ``read_on`` (the first time only)."""
    rec = doc.recipient(org_id)
    if rec is None or getattr(rec, what) is not None:
        return False
    now = normalize.today_stored()  # the day, in Vietnam (shown as a date)
    setattr(rec, what, now)
    if what == "read_on" and rec.received_on is None:
        rec.received_on = now
    _save(doc)
    audit.record("update", user=user, records=[doc], detail="Đã nhận văn bản" if what == "received_on" else "Đã đọc văn bản",
                 changes=[{"field": what, "after": rec.org_name}])
    return True


def _save(doc: PartyDocument) -> None:
    doc.save_legacy() if doc.quality_issues else doc.save()
