""".xls scan benchmark: the record scan (imports/xls_scan.py) against the bare reader.

    .venv/bin/python bench/bench_xls_scan.py [--rows 20000] [--repeat 5]

Builds a form 2 sheet of ``--rows`` rows (12 columns, a tenth of the rows with a formula)
with xlsxwriter, saves it as .xls with LibreOffice (as offices do), then prints the best
of ``--repeat`` runs of: the scan alone (olefile + BIFF record walk), the whole package
check for .xls, and the bare python-calamine read (open + every sheet to Python lists, in
this process). Target (issue 15, task xls): the scan costs less than the bare read.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make(rows: int) -> bytes:
    import xlsxwriter

    from imports.layouts import FORMS
    from tests.fixtures.office import convert

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "book.xlsx")
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_urls": False})
        sheet = book.add_worksheet("Danh sách")
        columns = FORMS["social"].columns
        sheet.write_string(0, 0, FORMS["social"].title)
        sheet.write_row(3, 0, [c.header for c in columns])
        sheet.write_row(4, 0, [f"({c + 1})" for c in range(len(columns))])
        for i in range(rows):
            r = 5 + i
            sheet.write_number(r, 0, i + 1)
            for c, v in enumerate((f"Chi bộ số {i % 25}", f"Nguyễn Văn {i % 2000}", "Đảng viên", "Facebook",
                                   f"Nguyen Van {i}", f"facebook.com/nguoi.{i}", f"09{i:08d}",
                                   f"nguoi{i}@example.com", "02/10/2023", "01/10/2025"), start=1):
                sheet.write_string(r, c, v)
            if i % 10:
                sheet.write_string(r, 11, "Tuyên truyền")
            else:
                sheet.write_formula(r, 11, f"=L{r}", None, "Tuyên truyền")
        book.close()
        with open(path, "rb") as handle:
            return convert(handle.read(), "xls")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_read(data: bytes) -> None:
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from imports import package, xls_scan
    from imports.errors import Limits

    data = make(args.rows)
    scans = xls_scan.scan(data, Limits())
    formulas = sum(len(s.formulas) for s in scans.values())
    scan = best(lambda: xls_scan.scan(data, Limits()), args.repeat)
    check = best(lambda: package.check(data, Limits()), args.repeat)
    read = best(lambda: bare_read(data), args.repeat)
    print(f".xls by LibreOffice: {args.rows} rows, {len(data) / 1e6:.1f} MB, {formulas} formula cells found")
    print(f"scan (olefile + record walk):  {scan * 1000:8.1f} ms")
    print(f"package.check (.xls):          {check * 1000:8.1f} ms")
    print(f"bare calamine read:            {read * 1000:8.1f} ms")
    print(f"scan / bare read:              {scan / read:8.2f}x  (target < 1)")


if __name__ == "__main__":
    main()
