"""Each official layout (forms 1 and 2, the roster) is declared once, in ``models/layouts.py``:
the export's headers, numbering and widths, the import's header matching, the models'
``RULES`` labels, the list screens' column labels and the import preview's labels all come
from it. These tests fail if a layout is typed a second time somewhere else."""

from __future__ import annotations

import ast
import dataclasses
import io
import pathlib
import re

import openpyxl
import pytest

import imports
from admin import imports as import_screen
from admin.accounts import SiteView, SocialAccountView
from exports import TitleBlock, form_cells, write_form
from imports.layouts import match_header
from models import Site, SocialAccount, layouts, normalize
from models.layouts import FORM1, FORM2, ROSTER
from services import reports
from tests.fixtures.workbooks import workbook

ROOT = pathlib.Path(__file__).resolve().parent.parent
BLOCK = TitleBlock(superior="ĐẢNG BỘ HUYỆN VĨNH BẢO", organisation="ĐẢNG ỦY XÃ AN HÒA", place="An Hòa",
                   signed_on=normalize.today(), as_of=normalize.today(), signer="T/M BAN THƯỜNG VỤ")
HEADER_ROW = 7  # title block rows 1-5, blank row 6
XLSX_PADDING = 0.7109375  # what xlsxwriter adds to a column width as stored


def _sheet(layout: layouts.FormLayout, rows: list[dict]) -> openpyxl.worksheet.worksheet.Worksheet:
    out = io.BytesIO()
    write_form(out, layout, BLOCK, rows)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue())).active


@pytest.mark.parametrize("layout", [FORM1, FORM2, ROSTER], ids=lambda f: f.key)
def test_the_export_prints_the_declared_headers_numbers_and_widths(layout: layouts.FormLayout) -> None:
    """Ensure that the xlsx header row, the numbering row under it and the column widths are the
    declaration's, column by column."""
    ws = _sheet(layout, [])
    n = len(layout.columns)
    assert [c.value for c in ws[HEADER_ROW]][:n] == [c.header for c in layout.columns]
    assert [c.value for c in ws[HEADER_ROW + 1]][:n] == [f"({c.number})" for c in layout.columns]
    assert [c.number for c in layout.columns] == list(range(1, n + 1))
    for c in layout.columns:
        letter = openpyxl.utils.get_column_letter(c.number)
        if letter in ws.column_dimensions:  # equal neighbours are stored as one range
            assert ws.column_dimensions[letter].width == pytest.approx(c.width + XLSX_PADDING)


def test_form_2_column_7_is_the_url_in_export_and_import() -> None:
    """Ensure that export and import name column (7) of form 2 alike (``url``): the export prints
    it with the role on a page/group, the import stores what it reads there as ``url``."""
    column = FORM2.columns[6]
    assert (column.field, column.kind) == ("url", "link")
    row = {"url": "https://www.facebook.com/groups/abc", "link_type": "group", "admin_role": "Quản trị viên"}
    cells = next(form_cells(FORM2, [row]))
    assert cells[5] == "https://www.facebook.com/groups/abc (Quản trị viên)"
    assert next(form_cells(FORM2, [{"url": "https://www.facebook.com/an"}]))[5] == "https://www.facebook.com/an"
    assert "link_text" not in FORM2.fields()


@pytest.mark.parametrize("layout", [FORM1, FORM2, ROSTER], ids=lambda f: f.key)
def test_the_import_reads_every_declared_header_and_synonym(layout: layouts.FormLayout) -> None:
    """Ensure that the import names each header text and each synonym of the declaration by the
    declared column number, and the legend's extra columns as known but not read (0)."""
    for c in layout.columns:
        assert match_header(c.header, layout) == c.number, c.header
        for synonym in c.synonyms:
            assert match_header(synonym, layout) == c.number, synonym
    for text in layout.ignored:
        assert match_header(text, layout) == 0


@pytest.mark.parametrize(("model", "layout"), [(Site, FORM1), (SocialAccount, FORM2)])
def test_the_rules_and_their_labels_are_the_declarations(model: type, layout: layouts.FormLayout) -> None:
    """Ensure that a model's ``RULES`` (normaliser, mandatory, "(n)" label) are its layout's, and
    that every label carries the number of the column the field is printed in."""
    assert model.LAYOUT is layout and model.RULES == layout.rules()
    for name, rule in model.RULES.items():
        column = layout.column(name)
        assert rule.label.startswith(f"({column.number}) ")
    assert set(model.RULES) >= {c.field for c in layout.columns if c.mandatory}


@pytest.mark.parametrize(("view", "model", "layout"), [(SiteView, Site, FORM1), (SocialAccountView, SocialAccount, FORM2)])
def test_list_columns_and_the_preview_are_labelled_by_the_declaration(app, view, model, layout) -> None:
    """Ensure that the list screen labels each official column with its header, and the import
    preview with its "(n)" label."""
    screen = view(model, endpoint=f"labels_{layout.key}")
    for c in layout.columns:
        if c.field in screen.column_list:
            assert screen.get_column_name(c.field) == c.header
    assert import_screen._labels(layout.key) == layout.labels()
    assert import_screen._labels("roster")["is_party_member"] == ROSTER.label("party")


def test_a_header_changed_in_the_declaration_changes_everywhere(world, monkeypatch) -> None:
    """Ensure that changing one header in the declaration changes the export, the list screen's
    label, the import's header matching and the preview's label: nothing else holds a copy."""
    old = workbook("sites", [[1, "Chi bộ thôn 1", "Nguyễn Văn An", "Đảng viên", "Blog", "moi.vn", "", "", "", "", "",
                              normalize.format_date(normalize.today()), "Tuyên truyền"]])
    new_header = "Tên miền hoặc địa chỉ trang"
    changed = dataclasses.replace(FORM1, columns=tuple(
        dataclasses.replace(c, header=new_header) if c.field == "domain" else c for c in FORM1.columns))
    monkeypatch.setitem(layouts.FORMS, "sites", changed)

    out = io.BytesIO()
    reports.export_form("sites", out, world.district)
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert ws.cell(HEADER_ROW, 6).value == new_header

    assert SiteView(Site, endpoint="changed_site").get_column_name("domain") == new_header
    assert import_screen._labels("sites")["domain"] == f"(6) {new_header}"

    # a file with the new header is read; one with the old text no longer is (no other copy knows it)
    fresh = workbook("sites", [[1, "Chi bộ thôn 1", "Nguyễn Văn An", "Đảng viên", "Blog", "moi.vn", "", "", "", "",
                                "", normalize.format_date(normalize.today()), "Tuyên truyền"]])
    assert imports.run(fresh, "sites", world.commune_a).as_json()["errors"] == []
    with pytest.raises(imports.ImportFileError, match=re.escape(f"(6) {new_header}")):
        imports.run(old, "sites", world.commune_a)


_NUMBERED = re.compile(r"^\(\d{1,2}\) \w")
#: where copies of the layouts used to be typed (issue 21)
_FORMER_COPIES = ("exports", "imports", "models/accounts.py", "admin/accounts.py", "admin/imports.py")


def _constants(path: pathlib.Path) -> list[tuple[int, str]]:
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_no_layout_text_is_typed_outside_the_declaration() -> None:
    """Ensure that no module but the declaration types a column's "(n)" label, and that the places
    which used to hold copies of a layout type none of its headers or titles."""
    numbered, headers = [], []
    official = {c.header for f in (FORM1, FORM2) for c in f.columns[4:]} | {f.title for f in (FORM1, FORM2, ROSTER)}
    for package in ("admin", "services", "models", "imports", "exports"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "models" / "layouts.py":
                continue
            relative = path.relative_to(ROOT).as_posix()
            for line, text in _constants(path):
                if _NUMBERED.match(text):
                    numbered.append((relative, line, text))
                if text in official and relative.startswith(_FORMER_COPIES):
                    headers.append((relative, line, text))
    assert numbered == [] and headers == []
