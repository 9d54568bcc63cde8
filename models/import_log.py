"""Imports of the official forms: one record per confirmed import, and the import lock."""

from __future__ import annotations

import mongoengine as me

from .base import FollowsOrganisation, owned, utcnow
from .organisation import Organisation
from .user import User


@owned
class ImportLog(FollowsOrganisation, me.Document):
    """Who imported which file (name and SHA-256) into which organisation, with the counts."""

    VERBOSE_NAME = "Lần nhập từ Excel"
    meta = {"collection": "import_logs", "indexes": ["scope", "-at", "sha256", "organisation"],
            "ordering": ["-at"]}

    at = me.DateTimeField(default=utcnow)
    user = me.ReferenceField(User, null=True, reverse_delete_rule=me.NULLIFY)
    username = me.StringField(max_length=64)  # kept if the user is removed; "cli" for commands
    source = me.StringField(choices=["web", "cli"], default="web")
    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    scope = me.ListField(me.ObjectIdField())
    org_name = me.StringField()  # denormalised for the list of recent imports
    kind = me.StringField(choices=["sites", "social"], required=True)
    filename = me.StringField(max_length=255)
    sha256 = me.StringField(max_length=64)
    rows = me.IntField(default=0)
    created = me.IntField(default=0)
    updated = me.IntField(default=0)
    unchanged = me.IntField(default=0)
    rejected = me.IntField(default=0)
    people_created = me.IntField(default=0)

    def clean(self) -> None:
        if self.organisation is not None:
            for name, value in self.org_values(self.organisation).items():
                setattr(self, name, value)

    def __str__(self) -> str:
        return f"{self.filename} ({self.at:%d/%m/%Y %H:%M})" if self.at else (self.filename or "")


class ImportLock(me.Document):
    """At most one import writes at a time (across processes): a unique ``_id`` is the lock."""

    meta = {"collection": "import_locks"}

    key = me.StringField(primary_key=True)
    acquired_at = me.DateTimeField(default=utcnow)
    holder = me.StringField(max_length=100)
