"""One ``Importer`` runs forms 1, 2 and the roster: the same run (import lock around a write,
memos cleared, the collector paused and resumed), the same sheets-with-a-header rule and the
same file-order errors; each kind brings only its hooks."""

from __future__ import annotations

import gc
import io
from contextlib import contextmanager

import openpyxl
import pytest

import imports
from imports import lock, roster, service
from models import Member, Site, SocialAccount, normalize
from tests.fixtures.workbooks import workbook
from tests.test_import_reading import site_row, social_row
from tests.test_roster_import import book, row

FILES = {
    "sites": lambda: workbook("sites", [site_row(c6="importer.vn")]),
    "social": lambda: workbook("social", [social_row(c7="facebook.com/importer")]),
    "roster": lambda: book([row(name="Lê Văn Nhập")]),
}
COUNTS = {"sites": lambda: Site.objects.count(), "social": lambda: SocialAccount.objects.count(),
          "roster": lambda: Member.objects.count()}


@pytest.mark.parametrize("kind", FILES)
def test_each_kind_is_one_importer_with_its_hooks(kind: str) -> None:
    """Ensure that the screen, the CLI and the service reach every kind through the one class."""
    importer = imports.importer(kind)
    assert isinstance(importer, service.Importer)
    assert type(importer).run is service.Importer.run and type(importer).tables is service.Importer.tables
    assert type(importer).import_tables is not service.Importer.import_tables  # its own hook


@pytest.mark.parametrize("kind", FILES)
def test_a_confirm_of_any_kind_waits_for_the_one_import_lock(world, monkeypatch, kind: str) -> None:
    """Ensure that a confirm of any kind takes the import lock (another import busy: refused with
    the Vietnamese reason, nothing written), and that a dry run does not need it."""

    @contextmanager
    def busy(*_a, **_k):
        raise imports.ImportFileError(lock.BUSY)
        yield  # pragma: no cover

    monkeypatch.setattr(service, "import_lock", busy)
    before = COUNTS[kind]()
    assert imports.importer(kind).run(FILES[kind](), world.commune_a).created == 1  # the preview
    with pytest.raises(imports.ImportFileError, match="Đang có một lần nhập khác"):
        imports.importer(kind).run(FILES[kind](), world.commune_a, dry_run=False)
    assert COUNTS[kind]() == before


@pytest.mark.parametrize("kind", FILES)
def test_any_kind_leaves_no_memo_behind_and_the_collector_running(world, kind: str) -> None:
    """Ensure that every kind's run clears the normalisers' memos and resumes the collector."""
    normalize.url("facebook.com/warm.up")
    normalize.phone("0912345678")
    summary = imports.importer(kind).run(FILES[kind](), world.commune_a, dry_run=False)
    assert summary.created == 1 and summary.errors == []
    assert [c.cache_info().currsize for c in normalize._CACHES] == [0] * len(normalize._CACHES)
    assert gc.isenabled()


@pytest.mark.parametrize("kind", FILES)
def test_a_file_without_the_header_names_its_hidden_sheets(world, kind: str) -> None:
    """Ensure that every kind refuses a file with no header in its visible sheets with its own
    reason and the hidden sheets that were not read."""
    wb = openpyxl.Workbook()
    wb.active.append(["Không phải biểu mẫu"])
    hidden = wb.create_sheet("Ẩn")
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(imports.ImportFileError) as caught:
        imports.importer(kind).run(out.getvalue(), world.commune_a)
    message = str(caught.value)
    assert message.startswith("Tệp không phải") and "các trang ẩn không được đọc: Ẩn" in message
    assert ("danh sách cán bộ" in message) == (kind == "roster")


def test_errors_of_every_kind_come_in_file_order(world) -> None:
    """Ensure that the roster's rejected rows are sorted by the one rule (sheet, row, column)."""
    summary = roster.run(book([row(name="Lê Văn Một", born="31/02/1990"), row(name="", cell="")]), world.commune_a)
    assert [e["row"] for e in summary.errors] == sorted(e["row"] for e in summary.errors)
    assert service.Importer.errors([("B", 3, 2, "b"), ("A", 9, 1, "a"), ("A", 2, 5, "c")], ["A", "B"]) == [
        {"sheet": "A", "row": 2, "column": "(5)", "message": "c"}, {"sheet": "A", "row": 9, "column": "(1)", "message": "a"},
        {"sheet": "B", "row": 3, "column": "(2)", "message": "b"}]
