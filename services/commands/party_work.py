"""``flask party-work migrate``: bring records saved before issue 14 to the new model.

* meetings: store the roll-call counts the lists and reports read (``member_count`` …),
  and the absence kind of old absences (a written reason: excused); people who are not
  party members leave old roll calls (the command says how many);
* documents: the unused ``studied_by`` list becomes a study campaign of the document
  (its period: the issue date) with one record per member, then the field is removed.

Idempotent: a second run finds nothing to do.
"""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask

from models import Meeting, Member, PartyDocument, StudyCampaign, StudyRecord
from services import audit


def _resave(m: Meeting) -> int:
    """Store the counts; people who are not party members leave the roll call (returns how many)."""
    kept = [a for a in m.attendance if a.member is None or a.member.is_party_member]
    dropped = len(m.attendance) - len(kept)
    m.attendance = kept
    m.save_legacy() if m.quality_issues else m.save()
    return dropped


def migrate() -> dict[str, int]:
    meetings = dropped = 0
    for query in ({"member_count": None}, {"attendance__0__exists": True, "member_count": 0}):
        for m in Meeting.objects(**query):
            dropped += _resave(m)
            meetings += 1
    campaigns = records = 0
    coll = PartyDocument._get_collection()
    for raw in coll.find({"studied_by.0": {"$exists": True}}, {"studied_by": 1}):
        doc = PartyDocument.objects(pk=raw["_id"]).first()
        people = list(Member.objects(pk__in=raw["studied_by"]))
        if doc is not None and people:
            when = doc.issued_on or dt.datetime(2000, 1, 1)
            campaign = StudyCampaign(organisation=doc.organisation, document=doc, title=f"Học tập {doc.number}",
                                     starts_on=when, ends_on=when, notes="Chuyển từ danh sách đã học tập cũ.")
            campaign.save()
            campaigns += 1
            for p in people:
                StudyRecord(campaign=campaign, member=p, studied_on=when, way="individual").save()
                records += 1
        coll.update_one({"_id": raw["_id"]}, {"$unset": {"studied_by": ""}})
    return {"meetings": meetings, "non_party_dropped": dropped, "campaigns": campaigns, "records": records}


@click.group("party-work")
def party_work() -> None:
    """Công tác đảng: chuyển dữ liệu cũ sang mô hình mới."""


@party_work.command("migrate")
def migrate_command() -> None:
    """Tính lại số liệu điểm danh của cuộc họp cũ; chuyển danh sách "đã học tập" cũ thành đợt học tập."""
    counts = migrate()
    audit.record("update", username="cli", collection="meetings", detail=f"flask party-work migrate: {counts}")
    click.echo(f"Đã cập nhật {counts['meetings']} cuộc họp; tạo {counts['campaigns']} đợt học tập "
               f"với {counts['records']} lượt học tập.")
    if counts["non_party_dropped"]:
        click.echo(f"Đã bỏ {counts['non_party_dropped']} người không phải đảng viên khỏi điểm danh cũ "
                   "(điểm danh sinh hoạt đảng chỉ gồm đảng viên).")


def register(app: Flask) -> None:
    app.cli.add_command(party_work)
