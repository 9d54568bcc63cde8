"""What each officer keeps of a list screen: the columns they hide and their saved filters.

A saved filter is the list's query string (filters, search, sort), kept per user and
screen; shared, it is offered to every user of the owner's organisation and the units
below it. Applying one still goes through the viewer's own scope: sharing a filter
never shares records.
"""

from __future__ import annotations

import mongoengine as me

from .base import utcnow


class ListPreference(me.Document):
    """The columns one user hides on one list screen."""

    meta = {"collection": "list_preferences",
            "indexes": [{"fields": ["user", "endpoint"], "unique": True}]}

    user = me.ObjectIdField(required=True)
    endpoint = me.StringField(required=True, max_length=100)
    hidden_columns = me.ListField(me.StringField(max_length=100))


class SavedFilter(me.Document):
    """"Bộ lọc đã lưu": a named list query of one user, optionally shared down their subtree."""

    meta = {"collection": "saved_filters",
            "indexes": [("owner", "endpoint"), ("endpoint", "shared", "org")],
            "ordering": ["name"]}

    owner = me.ObjectIdField(required=True)
    owner_name = me.StringField(max_length=200)
    org = me.ObjectIdField(required=True)  # the owner's organisation when saved
    endpoint = me.StringField(required=True, max_length=100)
    name = me.StringField(required=True, max_length=100)
    query = me.StringField(max_length=2000)  # the list's query string, without page
    shared = me.BooleanField(default=False)
    created_at = me.DateTimeField(default=utcnow)
