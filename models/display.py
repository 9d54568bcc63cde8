"""The one display format of dates and timestamps (dd/mm/yyyy, Vietnamese time)."""

from __future__ import annotations

import datetime as dt

from .clock import local_date, local_time


def format_date(value: dt.date | dt.datetime | None) -> str:
    """The one display format for dates: dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def format_moment(value: dt.datetime | None) -> str:
    """The one display format for timestamps: dd/mm/yyyy HH:MM, Vietnamese time."""
    return local_time(value).strftime("%d/%m/%Y %H:%M") if value else ""


def format_day(value: dt.datetime | None) -> str:
    """A stored UTC timestamp shown as its Vietnamese date, dd/mm/yyyy. Also right for a
    calendar date stored at midnight (00:00 UTC is 07:00 the same day in Vietnam), so a
    field that held UTC moments before holding dates (documents' sent/received/read, the
    handbook's change date) shows both correctly."""
    return format_date(local_date(value)) if value else ""
