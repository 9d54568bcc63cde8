"""Tasks a unit gives to a member or a cell (regulation, Điều 9; Điều 12 khoản 5 điểm đ).

A task is owned by the cell that carries it out (the assignee's cell), so the cell, the
committees above it and the assigning unit all find it through the ``scope`` path.
"Quá hạn" is not stored: it is "not done and the deadline has passed", answered by the
indexed range ``due_on < today`` with ``status != done`` (no stored state to go stale).
"""

from __future__ import annotations

import datetime as dt

import mongoengine as me

from . import normalize, search
from .base import Rule, ScopedDocument, follows_renames, owned
from .member import Member
from .organisation import Organisation

TASK_STATUSES = [("todo", "Chưa thực hiện"), ("doing", "Đang thực hiện"), ("done", "Hoàn thành")]
OVERDUE = ("overdue", "Quá hạn")
STATUS_LABELS = dict([*TASK_STATUSES, OVERDUE])


class Evaluation(me.EmbeddedDocument):
    """The cell's note on a task for one month (basis of the year-end evaluation)."""

    month = me.StringField(required=True, regex=r"^\d{4}-(0[1-9]|1[0-2])$")  # yyyy-mm
    note = me.StringField(max_length=2000)


@owned
class Task(ScopedDocument):
    VERBOSE_NAME = "Nhiệm vụ"
    NAME_IN_SEARCH_KEYS = True
    meta = {
        "collection": "tasks",
        "indexes": ["scope", "search_keys", "deleted_at", "status", "member", "assigned_by", "quality_issues", "due_on",
                    ("scope", "due_on"), ("scope", "status", "due_on"),
                    # the list's count and default sort under a scope (and for the top administrator)
                    ("scope", "deleted_at", "due_on", "_id"), ("deleted_at", "due_on", "_id")],
        "ordering": ["due_on"],
    }

    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    member = me.ReferenceField(Member, reverse_delete_rule=me.NULLIFY)
    member_name = me.StringField()
    assigned_by = me.ReferenceField(Organisation, reverse_delete_rule=me.DENY)
    assigned_by_name = me.StringField()
    title = me.StringField(required=True, max_length=500)
    description = me.StringField(max_length=5000)
    starts_on = me.DateTimeField()
    due_on = me.DateTimeField(required=True)
    status = me.StringField(choices=TASK_STATUSES, default="todo")
    completed_on = me.DateTimeField()
    result = me.StringField(max_length=5000)
    evaluations = me.EmbeddedDocumentListField(Evaluation)

    RULES = {
        "title": Rule("Tên nhiệm vụ", normalize.text, required=True),
        "description": Rule("Nội dung", normalize.multiline),
        "result": Rule("Kết quả", normalize.multiline),
    }

    def __str__(self) -> str:
        return self.title or ""

    def display_status(self, today: dt.date | None = None) -> str:
        """The status as shown: "overdue" when not done and past the deadline."""
        return OVERDUE[0] if self.is_overdue(today) else (self.status or "todo")

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or normalize.today()
        return self.status != "done" and self.due_on is not None and self.due_on.date() < today

    def clean(self) -> None:
        for name in ("starts_on", "due_on", "completed_on"):
            setattr(self, name, normalize.to_datetime(getattr(self, name)))
        if self.member is not None:
            self.organisation = self.member.organisation  # a member's task belongs to their cell
        if self.assigned_by is None:
            self.assigned_by = self.organisation
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise me.ValidationError(errors={"due_on": "Hạn hoàn thành không được trước ngày bắt đầu."})
        if self.assigned_by is not None and self.organisation is not None \
                and self.assigned_by.pk not in (self.organisation.scope or []):
            raise me.ValidationError(errors={"assigned_by": "Đơn vị giao nhiệm vụ phải là chi bộ đó hoặc cấp trên của nó."})
        if self.status == "done" and not self.completed_on:
            self.completed_on = normalize.today_stored()
        if self.status != "done":
            self.completed_on = None
        seen = set()
        for e in self.evaluations:
            if e.month in seen:
                raise me.ValidationError(errors={"evaluations": f"Tháng {e.month} đã có nhận xét."})
            seen.add(e.month)
            e.note = normalize.multiline(e.note)
        super().clean()

    def copy_owner(self) -> None:
        self.follow_organisation(self.organisation)
        self.member_name = self.member.full_name if self.member is not None else None
        self.assigned_by_name = self.assigned_by.name if self.assigned_by is not None else None

    def compute_keys(self) -> None:
        self.search_keys = search.search_tokens(self.title, self.member_name, self.org_name)


@follows_renames
def _assigner_follows(org: Organisation) -> int:
    """A renamed unit's name on the tasks it assigned."""
    Task.objects(assigned_by=org.pk).update(set__assigned_by_name=org.name)
    return 1
