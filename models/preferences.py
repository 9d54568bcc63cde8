"""What each officer keeps of a list screen: the columns they hide and their saved filters.

One collection, so that a list page reads both in one round trip. A saved filter is the
list's query string (filters, search, sort), kept per user and screen; shared, it is
offered to every user of the owner's organisation and the units below it. Applying one
still goes through the viewer's own scope: sharing a filter never shares records.
"""

from __future__ import annotations

import mongoengine as me

from .base import utcnow

COLUMNS, FILTER = "columns", "filter"


class ScreenPreference(me.Document):
    """``kind`` "columns": the columns one user hides on one screen (one per user and screen);
    ``kind`` "filter": "Bộ lọc đã lưu", a named list query, optionally shared down the owner's subtree."""

    meta = {"collection": "screen_preferences",
            "indexes": [("owner", "endpoint", "kind"), ("endpoint", "shared", "org")],
            "ordering": ["name"]}

    kind = me.StringField(required=True, choices=(COLUMNS, FILTER))
    owner = me.ObjectIdField(required=True)
    owner_name = me.StringField(max_length=200)
    org = me.ObjectIdField(required=True)  # the owner's organisation when saved
    endpoint = me.StringField(required=True, max_length=100)
    hidden_columns = me.ListField(me.StringField(max_length=100))
    name = me.StringField(max_length=100)
    query = me.StringField(max_length=2000)  # the list's query string, without page
    shared = me.BooleanField(default=False)
    created_at = me.DateTimeField(default=utcnow)
