"""Import benchmark: a 100,000-row form 2, read bare vs. read + parse + validate + match.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--write-rows 3000] [--no-openpyxl]

Prints, in one run: bare read time of python-calamine (the chosen reader) and of
openpyxl's read-only mode (the alternative), our dry run (safety checks, header,
parse, validate, match, plan) and the write time, with the process's peak memory.
Without MONGODB_URI the store is mongomock, whose unique-index check scans the whole
collection on every insert (quadratic), so writes are timed on ``--write-rows`` rows;
set MONGODB_URI to a scratch database to time the write of every row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CELLS, PEOPLE = 25, 2000


def make(path: str, rows: int) -> None:
    import xlsxwriter

    from imports.layouts import FORMS

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet()
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_string(0, 0, FORMS["social"].title)
    columns = FORMS["social"].columns  # constant_memory: rows must be written in order
    sheet.write_row(3, 0, [col.header for col in columns])
    sheet.write_row(4, 0, [f"({c + 1})" for c in range(len(columns))])
    for i in range(rows):
        r, p = 5 + i, i % PEOPLE
        sheet.write_number(r, 0, i + 1)
        for c, v in enumerate((f"Chi bộ số {p % CELLS}", f"Nguyễn Văn {p}", "Đảng viên", "Facebook",
                               f"Nguyen Van {i}", f"facebook.com/nguoi.{i}"), start=1):
            sheet.write_string(r, c, v)
        sheet.write_number(r, 7, 912000000 + i)
        sheet.write_string(r, 8, f"nguoi{i}@example.com")
        sheet.write_datetime(r, 9, dt.datetime(2020, 1, 1 + i % 28), dates)
        sheet.write_string(r, 10, "01/10/2025")
        sheet.write_string(r, 11, "Tuyên truyền")
    book.close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    print(f"{label:<44}{took:8.2f} s   peak RSS {peak_mb():7.0f} MB", flush=True)
    return took, result


def bare_calamine(path: str) -> int:
    import python_calamine

    sheet = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    return sum(1 for _ in sheet.iter_rows())


def bare_openpyxl(path: str) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))


def safety_checks(data: bytes) -> None:
    from imports import safety

    package = safety.open_package(data, safety.Limits())
    safety.check_parts(package)
    safety.scan_sheet(package, "xl/worksheets/sheet1.xml", safety.Limits())


def stubbed_write(data: bytes, target):
    """The whole write path except the database round trip (mongomock's is quadratic)."""
    import imports
    from imports import write

    real, write._bulk = write._bulk, lambda model, ops: len(ops)
    try:
        return imports.run(data, "social", target, dry_run=False)
    finally:
        write._bulk = real


def world():
    from models import Member, Organisation

    root = Organisation(code=f"B{uuid.uuid4().hex[:6].upper()}", name="Đảng bộ thử", kind="committee")
    root.save()
    cells = [Organisation(code=f"{root.code}-{i}", name=f"Chi bộ số {i}", parent=root) for i in range(CELLS)]
    for cell in cells:
        cell.save()
    Member.objects.insert([Member(full_name=f"Nguyễn Văn {p}", organisation=cells[p % CELLS], position="Đảng viên",
                                  scope=cells[p % CELLS].scope, org_name=cells[p % CELLS].name) for p in range(PEOPLE)])
    return root


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--rows", type=int, default=100_000)
    args.add_argument("--write-rows", type=int, default=3000)
    args.add_argument("--no-openpyxl", action="store_true")
    args.add_argument("--make", help=argparse.SUPPRESS)
    opts = args.parse_args()
    if opts.make:
        return make(opts.make, opts.rows)
    folder = tempfile.mkdtemp()
    big, small = os.path.join(folder, "big.xlsx"), os.path.join(folder, "small.xlsx")
    for path, n in ((big, opts.rows), (small, opts.write_rows)):  # built in a child: not in our peak memory
        subprocess.run([sys.executable, __file__, "--make", path, "--rows", str(n)], check=True)
    print(f"form 2, {opts.rows:,} rows, {os.path.getsize(big) / 1e6:.1f} MB file; start RSS {peak_mb():.0f} MB")

    import imports
    from app import create_app

    app = create_app({"SEED_DEMO": False})
    with app.app_context():
        target = world()
        data = open(big, "rb").read()
        read, _ = timed("bare read, python-calamine (chosen)", lambda: bare_calamine(big))
        if not opts.no_openpyxl:
            timed("bare read, openpyxl read-only (alternative)", lambda: bare_openpyxl(big))
        timed("  of which safety checks + sheet scan", lambda: safety_checks(data))
        ours, summary = timed("ours: checks + parse + validate + match", lambda: imports.run(data, "social", target))
        again, _ = timed("bare read, python-calamine, again", lambda: bare_calamine(big))
        print(f"  -> {summary.rows:,} rows, {summary.created:,} to create, {len(summary.errors)} errors; "
              f"ratio to bare read {ours / ((read + again) / 2):.2f}x (target <= 2x)")
        if not app.config.get("PRODUCTION"):
            took, result = timed(f"write {opts.rows:,} rows, DB stubbed (model checks)", lambda: stubbed_write(data, target))
            print(f"  -> {result.created:,} records built and validated by the model, {took / opts.rows * 1e6:.0f} us per row")
        n = opts.rows if app.config.get("PRODUCTION") else opts.write_rows
        wdata = data if n == opts.rows else open(small, "rb").read()
        took, result = timed(f"write {n:,} rows (dry run + upserts)", lambda: imports.run(wdata, "social", target, dry_run=False))
        print(f"  -> created {result.created:,}; {took / max(n, 1) * 1e6:.0f} us per row"
              + ("" if app.config.get("PRODUCTION") else " (mongomock)"))


if __name__ == "__main__":
    main()
