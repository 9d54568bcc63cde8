"""Official forms 1 and 2 (and the member roster) as the import reads them: which column a
header cell names.

The layouts, with their exact header texts and the synonyms officers type (``TT``,
``Họ tên``, ``SĐT``, ``CSDL``, the legend's ``Thời gian hết hạn`` on form 2), are declared
once in :mod:`models.layouts`. Matching folds both (accents, case, spaces, line breaks,
punctuation).
"""

from __future__ import annotations

import re

from models import normalize, vn_legacy
from models.layouts import FORM1 as SITES
from models.layouts import FORM2 as SOCIAL
from models.layouts import FORMS, Column
from models.layouts import FormLayout as Form

FORM_NAMES = {kind: form.name for kind, form in FORMS.items()}

_NON_ALNUM = re.compile(r"[^a-z0-9]")


def header_key(value: object) -> str:
    """Accent-, case-, space- and punctuation-insensitive form of a header or name."""
    return _NON_ALNUM.sub("", normalize.fold(value))


def _index(form: Form) -> dict[str, int]:
    out: dict[str, int] = {}
    for column in form.columns:
        for text in (column.header, column.header.split("(")[0], *column.synonyms):
            out.setdefault(header_key(text), column.number)
    for text in form.ignored:
        out.setdefault(header_key(text), 0)
    return out


#: per form (by identity): its header index and the official texts long enough to be a prefix
_INDEXES: dict[int, tuple[Form, dict[str, int], list[tuple[str, int]]]] = {}


def _indexes(form: Form) -> tuple[dict[str, int], list[tuple[str, int]]]:
    found = _INDEXES.get(id(form))  # the form is kept with its index: its id stays its own
    if found is None:
        short = [(k, c.number) for c in form.columns if len(k := header_key(c.header.split("(")[0])) >= 8]
        found = _INDEXES[id(form)] = (form, _index(form), short)
    return found[1], found[2]


def match_header(cell: object, form: Form) -> int | None:
    """The official column number a header cell names (0: a known column not stored)."""
    key = header_key(cell)
    if not key:
        return None
    index, prefixes = _indexes(form)
    found = index.get(key)
    if found is None and isinstance(cell, str) and not cell.isascii():
        for encoding in ("tcvn3", "vni"):  # a header typed in .VnTime/VNI-Times: the texts are known
            decoded = vn_legacy.decode(cell, encoding)
            if decoded != cell and vn_legacy.could_be(cell, encoding):
                return index.get(header_key(decoded))
    if found is not None:
        return found
    for short, number in prefixes:  # the official text with something added: "Họ và tên (*)"
        if key.startswith(short):
            return number
    return None


__all__ = ["FORMS", "FORM_NAMES", "SITES", "SOCIAL", "Column", "Form", "header_key", "match_header"]
