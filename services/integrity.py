"""``flask check``: do the tree and every owned record's copies of it agree?

Checked: every organisation's parent exists, no cycles, its ``scope``, ``path_names``,
``tree_key`` and ``depth`` follow from its parent; every owned record (see
:func:`models.base.owned`) points to an existing organisation and carries that
organisation's ``scope``/``org_name``/``org_key``; every site and social-network account
belongs to an existing member and shows that member's organisation, name and position;
every index was created (see :func:`services.db.ensure_indexes`); every name sort key
follows from the name it was computed from (after an upgrade that changed
:func:`models.normalize.vn_sort_key`, such as tone-mark placement, ``--repair`` recomputes them);
every member's ``joined_on`` is a calendar date (``--repair`` turns an old UTC timestamp
into its Vietnamese date).

With ``repair=True`` the paths are recomputed top-down from the parents, records are
brought in line with one ``update_many`` per organisation and model, accounts are
re-saved from their member, and one audit entry says what was fixed. Dangling
references and cycles are reported, never guessed at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mongoengine import DoesNotExist, ValidationError
from pymongo import UpdateOne

import models.transfer  # noqa: F401  (declares its unit paths)
from models import Organisation, Site, SocialAccount, normalize
from models.base import OWNED, UNIT_PATHS
from services import audit, db


@dataclass
class Report:
    organisations: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)  # Vietnamese, one line each
    repaired: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        head = f"Đã kiểm tra {self.organisations} tổ chức và {self.records} bản ghi."
        if self.clean:
            return [head, "Không phát hiện sai lệch."]
        out = [head, f"Phát hiện {len(self.problems)} sai lệch:", *(f"  - {p}" for p in self.problems)]
        if self.repaired:
            out += [f"Đã sửa {len(self.repaired)}:", *(f"  - {r}" for r in self.repaired)]
        return out


def _expected_tree(report: Report) -> dict[Any, dict[str, Any]]:
    """Organisation id -> the path fields it must hold, computed from parent links only."""
    rows = {r["_id"]: r for r in Organisation.objects.only("code", "name", "parent", "scope", "path_names",
                                                              "tree_key", "depth").as_pymongo()}
    report.organisations = len(rows)
    kids: dict[Any, list[Any]] = {}
    for pk, row in rows.items():
        parent = row.get("parent")
        if parent is not None and parent not in rows:
            report.problems.append(f"Tổ chức {row['code']}: tổ chức cấp trên không tồn tại ({parent}).")
            continue
        kids.setdefault(parent, []).append(pk)
    expected: dict[Any, dict[str, Any]] = {}
    queue = [(pk, [], [], "") for pk in kids.get(None, [])]
    while queue:
        pk, scope, names, key = queue.pop()
        row = rows[pk]
        want = {"scope": [*scope, pk], "path_names": [*names, row.get("name") or ""],
                "tree_key": (key + "/" if key else "") + (row.get("code") or "")}
        want["depth"] = len(want["scope"]) - 1
        expected[pk] = {**want, "name": row.get("name"), "code": row.get("code")}
        queue += [(c, want["scope"], want["path_names"], want["tree_key"]) for c in kids.get(pk, [])]
    for pk, row in rows.items():
        if pk not in expected and (row.get("parent") in rows):
            report.problems.append(f"Tổ chức {row['code']}: nằm trong một vòng lặp cấp trên — cấp dưới.")
        elif pk in expected:
            wrong = [f for f in ("scope", "path_names", "tree_key", "depth") if row.get(f) != expected[pk][f]]
            if wrong:
                report.problems.append(f"Tổ chức {row['code']}: {', '.join(wrong)} không khớp với cây tổ chức.")
    return expected


def check(repair: bool = False, user: Any = None, username: str | None = None) -> Report:
    report = Report()
    expected = _expected_tree(report)
    if repair:
        fix = [pk for pk, want in expected.items() if any(p.startswith(f"Tổ chức {want['code']}:")
                                                         for p in report.problems)]
        for pk in fix:
            want = expected[pk]
            Organisation.objects(pk=pk).update_one(set__scope=want["scope"], set__path_names=want["path_names"],
                                                   set__tree_key=want["tree_key"], set__depth=want["depth"])
            report.repaired.append(f"Tổ chức {want['code']}: tính lại đường dẫn trong cây.")
    orgs = {pk: _Org(want) for pk, want in expected.items()}
    known = set(orgs) | {r["_id"] for r in Organisation.objects.only("id").as_pymongo()}
    for model in OWNED:
        copies = list(model.ORG_COPIES)
        fields = ["organisation", *(f for f in copies if f in model._fields)]
        wrong_orgs: dict[Any, int] = {}
        for row in model.objects.only(*fields).as_pymongo():
            report.records += 1
            org_id = row.get("organisation")
            if org_id not in known:
                report.problems.append(f"{model.VERBOSE_NAME} {row['_id']}: tổ chức không tồn tại ({org_id}).")
                continue
            if org_id not in orgs:
                continue  # its organisation is in a cycle or under a missing parent: reported above
            want = model.org_values(orgs[org_id])
            if any(row.get(k) != v for k, v in want.items()):
                wrong_orgs[org_id] = wrong_orgs.get(org_id, 0) + 1
        for org_id, n in wrong_orgs.items():
            report.problems.append(f"{model.VERBOSE_NAME}: {n} bản ghi của {orgs[org_id].code} "
                                   "không khớp phạm vi/tên của tổ chức.")
            if repair:
                values = {f"set__{k}": v for k, v in model.org_values(orgs[org_id]).items()}
                model.objects(organisation=org_id).update(**values)
                report.repaired.append(f"{model.VERBOSE_NAME} của {orgs[org_id].code}: chép lại tổ chức.")
    _check_unit_paths(orgs, report, repair)
    _check_classified_copies(report, repair)
    for model in (Site, SocialAccount):
        _check_owner(model, report, repair)
    _check_sort_keys(report, repair)
    _check_calendar_dates(report, repair)
    for coll, name, error in db.index_problems():
        report.problems.append(f"Chỉ mục {coll}.{name} chưa tạo được: {error}")
    if repair and report.repaired:
        audit.record("repair", user=user, username=username or "cli", detail="; ".join(report.repaired))
    return report


def _check_unit_paths(orgs: dict[Any, Any], report: Report, repair: bool) -> None:
    """Records of two units (``models.base.unit_path``): each path is its unit's current scope."""
    for model, ref, path in UNIT_PATHS:
        fixes = [UpdateOne({"_id": row["_id"]}, {"$set": {path: orgs[row[ref]].scope}})
                 for row in model.objects(**{f"{ref}__ne": None}).only(ref, path).as_pymongo()
                 if row.get(ref) in orgs and row.get(path) != orgs[row[ref]].scope]
        _bulk_fix(report, repair, model, fixes, f"{len(fixes)} bản ghi có phạm vi ({path}) không khớp với đơn vị ({ref}).",
                  f"tính lại {path} của {len(fixes)} bản ghi theo cây tổ chức.")


def _check_classified_copies(report: Report, repair: bool) -> None:
    """No campaign keeps a copy of a classified document's number and title (older data)."""
    from models import PartyDocument, StudyCampaign
    from services.scope import OPEN_LEVELS

    secret = list(PartyDocument.objects(classification__nin=OPEN_LEVELS).scalar("id"))
    copies = list(StudyCampaign.objects(document__in=secret, document_label__ne=None)) if secret else []
    if not copies:
        return
    report.problems.append(f"{StudyCampaign.VERBOSE_NAME}: {len(copies)} đợt giữ bản sao số, trích yếu của văn bản mật.")
    if repair:
        for campaign in copies:  # the save copies the label again, through the rule: none
            campaign.save_legacy() if campaign.quality_issues else campaign.save()
        report.repaired.append(f"{StudyCampaign.VERBOSE_NAME}: xóa bản sao nhãn văn bản mật của {len(copies)} đợt.")


class _Org:
    """Just enough of an organisation for ``org_values`` (the expected, not the stored, path)."""

    def __init__(self, want: dict[str, Any]) -> None:
        self.scope = want["scope"]
        self.name = want["name"]
        self.tree_key = want["tree_key"]
        self.depth = want["depth"]
        self.code = want["code"]


def _check_owner(model: type, report: Report, repair: bool) -> None:
    """Forms 1 and 2: the record shows its member's organisation, name and position."""
    from models import Member

    members = {r["_id"]: r for r in Member.objects.only("organisation", "full_name", "position").as_pymongo()}
    for row in model.objects.only("member", "organisation", "member_name", "position").as_pymongo():
        owner = members.get(row.get("member"))
        if owner is None:
            report.problems.append(f"{model.VERBOSE_NAME} {row['_id']}: người khai không tồn tại.")
            continue
        if (row.get("organisation"), row.get("member_name"), row.get("position")) != (
                owner.get("organisation"), owner.get("full_name"), owner.get("position")):
            report.problems.append(f"{model.VERBOSE_NAME} {row['_id']}: không khớp với người khai.")
            if repair:
                doc = model.objects(pk=row["_id"]).first()
                try:
                    doc.save_legacy() if doc.quality_issues else doc.save()
                except (DoesNotExist, ValidationError):  # the member's own organisation is missing
                    continue
                report.repaired.append(f"{model.VERBOSE_NAME} {row['_id']}: chép lại từ người khai.")


def _bulk_fix(report: Report, repair: bool, model: type, fixes: list[UpdateOne], problem: str, repaired: str) -> None:
    """Report the documents of ``model`` that differ from what they should hold; with
    ``repair``, write ``fixes`` in one bulk write (only those documents)."""
    if not fixes:
        return
    report.problems.append(f"{model.VERBOSE_NAME}: {problem}")
    if repair:
        model._get_collection().bulk_write(fixes, ordered=False)
        report.repaired.append(f"{model.VERBOSE_NAME}: {repaired}")


def _check_calendar_dates(report: Report, repair: bool) -> None:
    """A member's ``joined_on`` is a calendar date (midnight). Someone entered without an
    admission date used to get their creation *timestamp* (UTC) instead, a day early from
    17:00 UTC; repaired to that moment's date in Vietnam (one bulk write)."""
    from models import Member

    fixes = [UpdateOne({"_id": row["_id"]},
                       {"$set": {"joined_on": normalize.to_datetime(normalize.local_date(row["joined_on"]))}})
             for row in Member.objects(joined_on__ne=None).only("joined_on").as_pymongo()
             if row["joined_on"].time() != dt.time()]
    _bulk_fix(report, repair, Member, fixes, f"{len(fixes)} người có ngày vào danh sách ghi theo giờ UTC, chưa phải ngày.",
              f"đưa ngày vào danh sách của {len(fixes)} người về ngày theo giờ Việt Nam.")


def _check_sort_keys(report: Report, repair: bool) -> None:
    """Every stored name sort key equals :func:`models.normalize.vn_sort_key` of its name;
    repaired with one bulk write per collection (only the documents that differ)."""
    from models import HandbookProposal, Member

    for model, name, key in ((Member, "full_name", "sort_key"), (Site, "member_name", "member_sort_key"),
                             (SocialAccount, "member_name", "member_sort_key"),
                             (HandbookProposal, "member_name", "member_sort_key")):
        fixes = [UpdateOne({"_id": row["_id"]}, {"$set": {key: want}})
                 for row in model.objects.only(name, key).as_pymongo()
                 if row.get(name) is not None and row.get(key) != (want := normalize.vn_sort_key(row[name]))]
        _bulk_fix(report, repair, model, fixes, f"{len(fixes)} bản ghi có khóa sắp xếp theo tên đã cũ.",
                  f"tính lại khóa sắp xếp theo tên của {len(fixes)} bản ghi.")
