"""The officers' clock: Vietnam's time zone, today's date there, and how dates and
timestamps are stored (calendar dates at midnight, naive; moments in naive UTC)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

#: the officers' clock; timestamps are stored in UTC (naive) and shown in this zone
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_time(value: dt.datetime) -> dt.datetime:
    """A stored UTC timestamp (naive or aware) as Vietnamese local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_TZ)


def today() -> dt.date:
    """Today's date in Vietnam (the server may run in UTC: 20:33 UTC is already tomorrow)."""
    return dt.datetime.now(LOCAL_TZ).date()


def today_stored() -> dt.datetime:
    """Vietnam's date as calendar dates are stored (midnight, naive): the date the panel
    itself sets on a record (completed, sent, received, updated, left, …)."""
    return to_datetime(today())


def local_date(value: dt.datetime) -> dt.date:
    """The Vietnamese calendar date of a stored UTC timestamp (23:00 UTC on 30/11 is 01/12)."""
    return local_time(value).date()


def day_start(day: dt.date) -> dt.datetime:
    """When ``day`` begins in Vietnam, as timestamps are stored (naive UTC): the bound of a
    day, month or year on timestamps (``created_at``, ``deleted_at``, ``decided_at``).
    Calendar dates (``joined_on``, ``held_on``, …) are bounded by :func:`to_datetime`."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(dt.UTC).replace(tzinfo=None)


def to_datetime(value: dt.date | None) -> dt.datetime | None:
    """BSON stores datetimes only; dates are kept at midnight UTC (naive)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


_MS = dt.timedelta(milliseconds=1)


def on_or_after(field: str, value: dt.datetime) -> dict[str, dt.datetime]:
    """``field >= value`` as a filter keyword, sent as ``$gt`` just below ``value``.

    The same records on MongoDB (BSON datetimes hold milliseconds: ``value`` is rounded up to
    one, then one millisecond less is the strict bound). Why not ``$gte``: SecantusDB 0.7.0b3,
    the tests' and demo's server, answers nothing to an inclusive lower bound on a descending key
    of a compound index followed by another key when an earlier key is matched by equality, e.g.
    ``{"s": 1, "h": {"$gte": 5}}`` over the index ``(s, -h, x)`` — the lists' indexes
    ``(scope, deleted_at, -held_on, _id)``. ``$gt`` and ``$lte`` are answered right."""
    up = value + dt.timedelta(microseconds=(-value.microsecond) % 1000)
    return {f"{field}__gt": up - _MS}
