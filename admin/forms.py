"""Form pieces shared by every screen: dd/mm/yyyy dates and rule validators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wtforms import StringField, ValidationError
from wtforms.validators import Optional as OptionalValidator

from models import normalize
from models.base import Rule


class VNDateField(StringField):
    """A date typed as dd/mm/yyyy (the format officers and the official forms use)."""

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "autocomplete": "off",
                                        "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return normalize.format_date(self.data) if isinstance(self.data, dt.date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = valuelist[0] if valuelist else ""
        try:
            self.data = normalize.to_datetime(normalize.date(raw))
        except normalize.NormalizeError as exc:
            self.data = None
            raise ValueError(str(exc)) from None

    def populate_obj(self, obj: Any, name: str) -> None:
        setattr(obj, name, self.data)


class RuleValidator:
    """Runs a model rule's normaliser on the typed value so the error shows at the field."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.field_flags = {"required": True} if rule.required else {}

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            if self.rule.required:
                raise ValidationError(f"{self.rule.label}: bắt buộc phải nhập.")
            return
        if self.rule.normalizer is not None:
            try:
                self.rule.normalizer(value)
            except normalize.NormalizeError as exc:
                raise ValidationError(str(exc)) from None


def rule_form_args(model: Any, form_fields: list[str] | None) -> dict[str, dict]:
    """``form_args`` built from a model's rules: one source for every check."""
    args: dict[str, dict] = {}
    for name, rule in getattr(model, "RULES", {}).items():
        if form_fields is not None and name not in form_fields:
            continue
        args[name] = {"validators": [RuleValidator(rule)] if rule.required else [OptionalValidator(), RuleValidator(rule)]}
    return args
