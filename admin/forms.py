"""Form pieces shared by every screen: dd/mm/yyyy dates and rule validators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_admin.form import BaseForm
from wtforms import StringField, ValidationError
from wtforms.validators import InputRequired
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
        if rule.required:  # InputRequired also makes Flask-Admin mark the label with *
            checks = [InputRequired(f"{rule.label}: bắt buộc phải nhập."), RuleValidator(rule)]
        else:
            checks = [OptionalValidator(), RuleValidator(rule)]
        args[name] = {"validators": checks}
    return args


# WTForms ships no Vietnamese catalogue; these are its messages the panel can show.
_WTFORMS_VI = {
    "This field is required.": "Trường này bắt buộc phải nhập.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Not a valid choice": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Invalid input.": "Dữ liệu không hợp lệ.",
    "Invalid email address.": "Địa chỉ email không hợp lệ.",
    "Not a valid integer value.": "Phải là số nguyên.",
    "Not a valid decimal value.": "Phải là số.",
    "Not a valid float value.": "Phải là số.",
    "Not a valid date value.": "Ngày không hợp lệ (định dạng dd/mm/yyyy).",
    "Not a valid datetime value.": "Ngày giờ không hợp lệ.",
    "Field must be equal to %(other_name)s.": "Phải trùng với %(other_name)s.",
    "Field must be at least %(min)d character long.": "Phải có ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Phải có ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Độ dài phải từ %(min)d đến %(max)d ký tự.",
    "Invalid value, must be one of: %(values)s.": "Giá trị không hợp lệ, phải là một trong: %(values)s.",
    "'%(value)s' is not a valid choice for this field.": "“%(value)s” không phải lựa chọn hợp lệ.",
    "'%(value)s' are not valid choices for this field.": "“%(value)s” không phải lựa chọn hợp lệ.",
}


class VietnameseTranslations:
    """WTForms translations: Vietnamese for WTForms' own messages, Flask-Admin's ``vi``
    catalogue (through Flask-Babel) for the rest."""

    def __init__(self) -> None:
        from flask_admin.babel import Translations

        self._fallback = Translations()

    def gettext(self, string: str) -> str:
        return _WTFORMS_VI.get(string) or self._fallback.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        chosen = singular if n == 1 else plural
        return _WTFORMS_VI.get(chosen) or self._fallback.ngettext(singular, plural, n)


class PanelForm(BaseForm):
    """Form base of every admin screen (CSRF comes from Flask-WTF's CSRFProtect)."""

    class Meta(BaseForm.Meta):
        _translations = VietnameseTranslations()

        def get_translations(self, form: BaseForm) -> VietnameseTranslations:
            return self._translations


def merge_form_args(*layers: dict[str, dict] | None) -> dict[str, dict]:
    """Merge ``form_args`` per field: labels, rule validators and view options add up."""
    merged: dict[str, dict] = {}
    for layer in layers:
        for name, args in (layer or {}).items():
            target = merged.setdefault(name, {})
            for key, value in args.items():
                if key == "validators":
                    target["validators"] = [*target.get("validators", []), *value]
                else:
                    target[key] = value
    return merged


def label_args(labels: dict[str, str], fields: list[str] | None) -> dict[str, dict]:
    return {name: {"label": label} for name, label in labels.items() if fields is None or name in fields}
