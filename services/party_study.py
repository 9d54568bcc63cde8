"""Recording resolution study: from a meeting's roll call in one click, or by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bson import ObjectId
from mongoengine import NotUniqueError

from models import Meeting, Member, StudyCampaign, StudyRecord
from services import audit, scope

from .party_reports import ReportError, campaigns, study_root


def campaigns_for_meeting(meeting: Meeting, user: Any) -> list[StudyCampaign]:
    """Campaigns the meeting's members take part in (launched by the meeting's unit or above)."""
    return list(campaigns(user).filter(organisation__in=list(meeting.scope)).order_by("-starts_on"))


def _record(campaign: StudyCampaign, people: list[Member], when: dt.datetime, way: str,
            meeting: Meeting | None, user: Any) -> int:
    done = {r["member"] for r in StudyRecord.objects(campaign=campaign.pk, member__in=[p.pk for p in people])
            .only("member").as_pymongo()}
    added = []
    for p in people:
        if p.pk in done:
            continue
        rec = StudyRecord(campaign=campaign, member=p, organisation=p.organisation, studied_on=when, way=way,
                          meeting=meeting)
        try:
            rec.save()
        except NotUniqueError:  # recorded meanwhile by someone else: already studied
            continue
        added.append(rec)
    if added:
        audit.record("create", user=user, records=added,
                     detail=f"Học tập nghị quyết: {campaign.title}" + (f" (buổi sinh hoạt {meeting})" if meeting else ""))
    return len(added)


def record_from_meeting(campaign: StudyCampaign, meeting: Meeting, user: Any) -> int:
    """Every party member marked present at ``meeting`` has studied ``campaign``."""
    if campaign.organisation.pk not in (meeting.scope or []):
        raise ReportError("Buổi sinh hoạt không thuộc đơn vị triển khai đợt học tập này.")
    if not scope.can_see(user, meeting):
        raise ReportError("Buổi sinh hoạt nằm ngoài phạm vi quản lý của bạn.")
    ids = [a.member.pk for a in meeting.attendance if a.present and a.member is not None]
    people = list(scope.visible(Member, user).filter(pk__in=ids, is_party_member=True))
    if not people:
        raise ReportError("Buổi sinh hoạt chưa có đảng viên nào được điểm danh có mặt.")
    return _record(campaign, people, meeting.held_on, "meeting", meeting, user)


def record_by_hand(campaign: StudyCampaign, member_ids: list[Any], when: dt.date, user: Any) -> int:
    """Members who studied on their own (or made up a missed session)."""
    root = study_root(campaign, user)
    wanted = [ObjectId(i) for i in member_ids if ObjectId.is_valid(str(i))]
    people = list(scope.in_subtree(Member, root, user).filter(pk__in=wanted, status="active", is_party_member=True))
    if not people:
        raise ReportError("Hãy chọn ít nhất một đảng viên.")
    return _record(campaign, people, dt.datetime(when.year, when.month, when.day), "individual", None, user)
