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

from mongoengine import Q, QuerySet

from models import Organisation, PartyDocument, normalize
from models.party_work import Recipient
from services import audit, policy, scope

OFFICER_ROLES = policy.WRITE_ROLES  # kept for callers: ask policy.can(user, policy.WORK)


def _classified_rule(qs: QuerySet, user: Any, addressed: bool) -> QuerySet:
    """Hide classified documents from anyone who is not an officer of an addressee unit."""
    root = scope.scope_root(user)
    if root is None or not policy.can(user, policy.WORK):
        return qs.filter(classification__in=["thuong", None])
    if addressed:  # the incoming list: the user's unit is a recipient
        return qs
    return qs.filter(Q(classification__in=["thuong", None]) | Q(organisation=root) | Q(recipient_ids=root))


def outgoing(user: Any) -> QuerySet:
    """Documents issued by units of the user's subtree (classified: only the unit's own)."""
    return _classified_rule(scope.visible(PartyDocument, user), user, addressed=False)


def incoming(user: Any) -> QuerySet:
    """Documents sent to the user's own unit."""
    root = scope.scope_root(user)
    if root is None:
        return PartyDocument.objects(pk__in=[])
    qs = PartyDocument.objects(recipient_ids=root, deleted_at=None)
    return _classified_rule(qs, user, addressed=True)


def may_open(user: Any, doc: PartyDocument) -> bool:
    root = scope.scope_root(user)
    if root is None or doc is None or doc.deleted_at is not None:
        return False
    addressed = root in (doc.recipient_ids or [])
    if doc.classified:
        issuer = doc.organisation.pk if doc.organisation is not None else None
        return policy.can(user, policy.WORK) and (root == issuer or addressed)
    return addressed or scope.can_see(user, doc)


def audit_opening(doc: PartyDocument, user: Any = None) -> None:
    """Every opening of a classified entry leaves a trace."""
    if doc.classified:
        audit.record("view", user=user, records=[doc], detail=f"Mở văn bản {doc.get_classification_display()}: {doc.number}")


def targets(user: Any, doc: PartyDocument) -> dict[str, list[Organisation]]:
    """Where the issuing unit may send: the units directly below it, and the unit above."""
    issuer = doc.organisation
    below = list(scope.organisations(user).filter(parent=issuer.pk).order_by("tree_key")) \
        if scope.can_see(user, issuer) else []
    above = [issuer.parent] if issuer.parent is not None else []
    return {"below": below, "above": above}


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
