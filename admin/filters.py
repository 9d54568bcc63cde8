"""List filters officers use, all answered by indexed equality or range matches."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from flask_admin.contrib.mongoengine.filters import BaseMongoEngineFilter
from mongoengine import QuerySet

from models import normalize, search
from models.organisation import KINDS, path_label
from services import scope


class OrgSubtreeFilter(BaseMongoEngineFilter):
    """Organisation, including everything below it (``scope`` holds the ancestor path).

    The units are not listed in the page: a province has thousands. The input is a picker
    that asks ``/admin/don-vi/`` as the officer types (scoped, searched on the indexed
    keys, 10 at a time); the page carries only the labels of the units already chosen."""

    WIDGET = "org-picker"
    LIMIT = 10

    def __init__(self, name: str = "Tổ chức (gồm cấp dưới)") -> None:
        super().__init__("scope", name, data_type=self.WIDGET)

    @staticmethod
    def label(org: dict) -> str:
        # the full path, not indentation: cell names repeat across communes
        return path_label(org.get("path_names") or [])

    @classmethod
    def options_for(cls, user: Any, text: str, offset: int = 0, kind: str | None = None, *,
                    under: ObjectId | None = None, parent: ObjectId | None = None,
                    whole_tree: bool = False) -> list[tuple[str, str]]:
        """Units in the user's scope matching what was typed, in tree order, a page at a time;
        ``kind`` ("committee" or "cell"): only units of that kind (a report made per committee);
        ``under``: only that unit's subtree; ``parent``: only the units directly below it;
        ``whole_tree``: any unit outside the user's own subtree (where a person may be
        transferred to: only paths are shown)."""
        orgs = cls._units(user, whole_tree)
        if kind in dict(KINDS):
            orgs = orgs.filter(kind=kind)
        if under is not None:
            orgs = orgs.filter(scope=under)
        if parent is not None:
            orgs = orgs.filter(parent=parent)
        tokens = search.query_tokens(text or "")
        if tokens:
            orgs = orgs.filter(search.search_condition(tokens))
        found = orgs.only("path_names").order_by("tree_key").skip(max(offset, 0)).limit(cls.LIMIT).as_pymongo()
        return [(str(o["_id"]), cls.label(o)) for o in found]

    @staticmethod
    def _units(user: Any, whole_tree: bool) -> QuerySet:
        from models import Organisation

        if not whole_tree:
            return scope.organisations(user)
        if not scope.can_write(user):
            return Organisation.objects(pk__in=[])
        if scope.sees_everything(user):
            return Organisation.objects
        return Organisation.objects(scope__ne=scope.scope_root(user))

    @classmethod
    def labels_of(cls, user: Any, values: list[str]) -> dict[str, str]:
        """Labels of the units already chosen in the request (a handful, never the tree)."""
        ids = [ObjectId(v) for v in values if ObjectId.is_valid(v)][:20]
        if not ids:
            return {}
        return {str(o["_id"]): cls.label(o) for o in scope.organisations(user).filter(pk__in=ids).only("path_names").as_pymongo()}

    def validate(self, value: str) -> bool:
        try:
            ObjectId(value)
            return True
        except (InvalidId, TypeError):
            return False

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        return query.filter(scope=ObjectId(value))

    def operation(self) -> str:
        return "là"


class ChoiceFilter(BaseMongoEngineFilter):
    """Equality on a field, offered as a fixed list; a value not offered matches nothing."""

    def __init__(self, column: str, name: str, options: Any) -> None:
        super().__init__(column, name, options=options)

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        return query.filter(**{self.column: value})

    def operation(self) -> str:
        return "là"


class QualityFilter(BaseMongoEngineFilter):
    """Records missing a mandatory field or holding an invalid value (``quality_issues``)."""

    ANY = "any"

    def __init__(self, model: Any, name: str = "Chất lượng dữ liệu") -> None:
        opts = [(self.ANY, "Có lỗi bất kỳ")]
        for field, rule in model.RULES.items():
            if rule.required:
                opts.append((f"missing:{field}", f"Thiếu {rule.label}"))
            if rule.normalizer is not None and rule.normalizer.__name__ not in ("text", "multiline"):
                opts.append((f"invalid:{field}", f"Sai định dạng {rule.label}"))
        super().__init__("quality_issues", name, options=opts)

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        if value == self.ANY:
            return query.filter(quality_issues__0__exists=True)
        return query.filter(quality_issues=value)

    def operation(self) -> str:
        return "là"


class DateFromFilter(BaseMongoEngineFilter):
    """``column >= date``; the date is typed as dd/mm/yyyy."""

    def __init__(self, column: str, name: str) -> None:
        super().__init__(column, name)

    def validate(self, value: str) -> bool:
        try:
            return normalize.date(value) is not None
        except normalize.NormalizeError:
            return False

    def clean(self, value: str) -> dt.datetime:
        return normalize.to_datetime(normalize.date(value))

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        return query.filter(**normalize.on_or_after(self.column, value))

    def operation(self) -> str:
        return "từ ngày (dd/mm/yyyy)"


class CountedFilter(DateFromFilter):
    """The records the figures count on a date (:func:`services.figures.counted_q`): the list
    behind every people, sites and accounts figure, so that a figure and its list agree."""

    def __init__(self, model: Any) -> None:
        from models import Member

        self.model = model
        super().__init__("joined_on" if model is Member else "created_at", "Được tính trong số liệu ngày")

    def clean(self, value: str) -> dt.date:  # type: ignore[override]
        return normalize.date(value)

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        from services.figures import counted_q

        return query.filter(counted_q(self.model, value))

    def operation(self) -> str:
        return "(dd/mm/yyyy)"


class DateToFilter(DateFromFilter):
    """``column <= date`` (inclusive of that whole day)."""

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        return query.filter(**{f"{self.column}__lt": value + dt.timedelta(days=1)})

    def operation(self) -> str:
        return "đến ngày (dd/mm/yyyy)"


class EmptyFilter(BaseMongoEngineFilter):
    """Whether an optional field is empty."""

    def __init__(self, column: str, name: str) -> None:
        super().__init__(column, name, options=[("1", "Trống"), ("0", "Có dữ liệu")])

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        if value == "1":
            return query.filter(**{f"{self.column}__in": [None, ""]})
        return query.filter(**{f"{self.column}__nin": [None, ""]})

    def operation(self) -> str:
        return "là"


def date_range(column: str, label: str) -> list[BaseMongoEngineFilter]:
    return [DateFromFilter(column, label), DateToFilter(column, label)]


class BoolFilter(ChoiceFilter):
    def __init__(self, column: str, name: str) -> None:
        super().__init__(column, name, [("1", "Có"), ("0", "Không")])

    def clean(self, value: str) -> bool:
        return value == "1"


class RoleOnDateFilter(DateFromFilter):
    """People holding ``role`` on the chosen date (its term covers that day)."""

    def __init__(self, role: str, name: str) -> None:
        super().__init__("role_grants.role", name)  # the leading key of the index it uses
        self.role = role

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        from mongoengine import Q

        held = {"role": self.role, "start__lte": value}
        return query.filter(Q(role_grants__match={**held, "end": None}) |
                            Q(role_grants__match={**held, "end__gte": value}))

    def operation(self) -> str:
        return "tại ngày (dd/mm/yyyy)"


def picked_unit(user: Any, value: str | None = None) -> tuple[str, str]:
    """(id, label) of the unit a form's organisation picker starts on: ``value`` when it is
    in the user's scope, else the user's own organisation (one document, never the tree)."""
    if value:
        found = OrgSubtreeFilter.labels_of(user, [value])
        if value in found:
            return value, found[value]
    own = user.organisation
    found = OrgSubtreeFilter.labels_of(user, [str(own.pk)]) if own is not None else {}
    return (str(own.pk), found.get(str(own.pk), own.name)) if own is not None else ("", "")
