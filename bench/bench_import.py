"""Import benchmark: preview and confirm of a 100,000-row form 2 against existing records.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--existing 0.5] [--no-openpyxl]

Prints, in one run: the bare read of python-calamine (the chosen reader) and of openpyxl's
read-only mode (the alternative); the preview (dry run: package checks, reader child
process, header, rows, values, people, plan with model validation); the confirm with the
store's writes stubbed out (store time excluded, as the targets say); database round trips
of each, per 1,000 rows; memory (see below); and a one-row preview into the same
organisation (costs what the file needs, not what the organisation holds).

Times are CPU seconds (this process + the reader's child), so that the ratios do not
depend on what else the machine runs; wall seconds are printed beside them. The store
here is in-process (mongomock): its own CPU time is measured and excluded, and so is its
memory: "import peak" is the Python heap the import itself allocates (tracemalloc, in a
separate untimed pass), "reader child" the child process's own peak RSS, "process" this
whole process, in-process store and its data included. A share of the rows (``--existing``) matches stored records, a tenth
of those with a changed purpose, so the confirm plans creates, updates and unchanged rows.
Targets (issue 15): preview <= 5x the bare read, confirm <= 8x, round trips per 1,000
rows bounded by a small constant, peak memory under 300 MB.
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

from bson import ObjectId

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CELLS, PEOPLE = 25, 2000
CALLS = {"n": 0, "s": 0.0}  # round trips, seconds spent in the (in-process) store


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
        sheet.write_string(r, 7, "")
        sheet.write_string(r, 8, f"nguoi{i}@example.com")
        sheet.write_datetime(r, 9, dt.datetime(2020, 1, 1 + i % 28), dates)
        sheet.write_string(r, 10, "01/10/2025")
        sheet.write_string(r, 11, "Tuyên truyền")
    book.close()


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the reader)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(label: str, fn):
    """(CPU seconds without the store's own, round trips, result); memoised normalisers
    start cold, as in a fresh worker."""
    from models import normalize

    normalize.clear_caches()
    CALLS["n"], CALLS["s"] = 0, 0.0
    start, wall = cpu(), time.perf_counter()
    result = fn()
    took, wall = cpu() - start, time.perf_counter() - wall
    print(f"{label:<46}{took - CALLS['s']:7.2f} s CPU (store {CALLS['s']:5.2f} s, wall {wall:6.2f} s)  "
          f"round trips {CALLS['n']:4d}", flush=True)
    return took - CALLS["s"], CALLS["n"], result


def import_peak_mb(fn) -> float:
    """Peak of the Python heap allocated while ``fn`` runs (untimed pass)."""
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def count_round_trips() -> None:
    """Every call that reaches the store counts one (cursor batches beyond the first not counted)."""
    import mongomock

    for name in ("find", "find_one", "insert_one", "insert_many", "update_one", "update_many", "replace_one",
                 "bulk_write", "count_documents", "distinct", "aggregate", "delete_one", "delete_many"):
        real = getattr(mongomock.Collection, name)

        def wrapper(self, *a, _real=real, **kw):
            CALLS["n"] += 1
            start = time.process_time()
            try:
                return _real(self, *a, **kw)
            finally:
                CALLS["s"] += time.process_time() - start

        setattr(mongomock.Collection, name, wrapper)
    compute = mongomock.collection.Cursor._compute_results  # where a cursor's query runs

    def timed_compute(self, *a, **kw):
        start = time.process_time()
        try:
            return compute(self, *a, **kw)
        finally:
            CALLS["s"] += time.process_time() - start

    mongomock.collection.Cursor._compute_results = timed_compute


def bare_calamine(path: str) -> int:
    import python_calamine

    sheet = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    return sum(1 for _ in sheet.iter_rows())


def bare_openpyxl(path: str) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))


def stubbed_confirm(data: bytes, target):
    """The whole confirm except the store's writes (counted, not carried out)."""
    import imports
    from imports import write

    real = write._bulk

    def stub(model, ops, counter):
        CALLS["n"] += 1
        return len(ops)

    write._bulk = stub
    try:
        return imports.run(data, "social", target, dry_run=False)
    finally:
        write._bulk = real


def floors(data: bytes, target) -> dict[str, float]:
    """CPU seconds of what the issue's own requirements cost before any work of ours, on the
    same file: a real XML parser over every element of the sheets (expat calling Python once
    per element, with a callback that does nothing: the scan's floor), the reader in its
    child process (python-calamine, the rows sent back), and the model's own field
    validators on each created record's values, nothing else (``Document.validate``'s floor).
    What is left of the 5x budget is what values, people, plan, keys and digests may cost."""
    import zipfile
    from xml.parsers import expat

    from imports import package, workbook, write
    from imports.errors import Limits
    from models import SocialAccount

    out = {}
    start = cpu()
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                parser = expat.ParserCreate(namespace_separator=" ")
                parser.buffer_text = True
                parser.StartElementHandler = lambda tag, attrs: None
                with z.open(name) as stream:
                    parser.ParseFile(stream)
    out["XML parser over every element, no-op callback"] = cpu() - start
    limits = Limits()
    checked = package.check(data, limits)
    start = cpu()
    workbook.read(data, checked, limits)
    out["reader child (python-calamine), rows sent back"] = cpu() - start
    sons, real = [], write._bulk

    def keep(model, ops, counter):
        sons.extend(op._doc["$setOnInsert"] for op in ops if hasattr(op, "_doc") and "$setOnInsert" in op._doc)
        return len(ops)

    write._bulk = keep
    try:
        imports_run = __import__("imports").run
        imports_run(data, "social", target, dry_run=False)
    finally:
        write._bulk = real
    fields = SocialAccount._fields
    start = cpu()
    for son in sons:
        for name, value in son.items():
            field = fields.get(name)
            if field is not None and value is not None and name != "_id":
                field.validate(value)
    out[f"model field validators alone, {len(sons):,} created records"] = cpu() - start
    return out


def world(existing: int):
    """A committee, its cells and people, and ``existing`` stored accounts of the file's rows
    (validated and stored as an import stores them: :mod:`imports.records`)."""
    from imports.records import Records
    from models import Member, Organisation, SocialAccount

    root = Organisation(code=f"B{uuid.uuid4().hex[:6].upper()}", name="Đảng bộ thử", kind="committee")
    root.save()
    cells = [Organisation(code=f"{root.code}-{i}", name=f"Chi bộ số {i}", parent=root) for i in range(CELLS)]
    for cell in cells:
        cell.save()
    people = []
    for p in range(PEOPLE):
        m = Member(id=ObjectId(), full_name=f"Nguyễn Văn {p}", organisation=cells[p % CELLS], position="Đảng viên")
        m.validate()
        people.append(m)
    Member._get_collection().insert_many([m.to_mongo().to_dict() for m in people])
    records, docs = Records(SocialAccount), []
    for i in range(existing):
        son, error = records.build(None, {
            "platform": "Facebook", "account_name": f"Nguyen Van {i}", "url": f"https://facebook.com/nguoi.{i}",
            "registration_email": f"nguoi{i}@example.com", "established_on": dt.datetime(2020, 1, 1 + i % 28),
            "updated_on": dt.datetime(2025, 10, 1), "purpose": "Tuyên truyền" if i % 10 else "Cá nhân",
            "link_type": "personal"}, people[i % PEOPLE])
        assert error is None, error
        son["_id"] = ObjectId()
        docs.append(son)
    if docs:
        SocialAccount._get_collection().insert_many(docs)
    return root


def fast_fake_in() -> None:
    """The in-process store tests ``$in`` by scanning the list for every document (O(n*m));
    real MongoDB walks an index. Store time is excluded from the figures either way; this
    only keeps the benchmark's wall time sane at 100,000 rows."""
    from mongomock import filtering

    real = filtering._in_op
    sets: dict[int, tuple[object, frozenset]] = {}

    def fast(doc_val, search_val):
        if not isinstance(search_val, list | tuple):
            return real(doc_val, search_val)
        entry = sets.get(id(search_val))
        if entry is None or entry[0] is not search_val:
            try:
                entry = sets[id(search_val)] = (search_val, frozenset(search_val))
            except TypeError:
                return real(doc_val, search_val)
            if any(isinstance(x, filtering._RE_TYPES) for x in search_val):
                entry = sets[id(search_val)] = (search_val, None)
        if entry[1] is None or doc_val is filtering.NOTHING or isinstance(doc_val, list | tuple | dict):
            return real(doc_val, search_val)
        try:
            return doc_val in entry[1]
        except TypeError:
            return real(doc_val, search_val)

    filtering._filterer_inst._operator_map["$in"] = fast  # the instance filter_applies uses


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--rows", type=int, default=100_000)
    args.add_argument("--existing", type=float, default=0.5, help="share of rows already stored")
    args.add_argument("--no-openpyxl", action="store_true")
    args.add_argument("--make", help=argparse.SUPPRESS)
    opts = args.parse_args()
    if opts.make:
        return make(opts.make, opts.rows)
    folder = tempfile.mkdtemp()
    big, one = os.path.join(folder, "big.xlsx"), os.path.join(folder, "one.xlsx")
    for path, n in ((big, opts.rows), (one, 1)):  # built in a child: not in our peak memory
        subprocess.run([sys.executable, __file__, "--make", path, "--rows", str(n)], check=True)
    print(f"form 2, {opts.rows:,} rows, {os.path.getsize(big) / 1e6:.1f} MB file; start RSS {peak_mb():.0f} MB")

    import imports
    from app import create_app

    app = create_app({"SEED_DEMO": False})
    with app.app_context():
        fast_fake_in()
        target = world(int(opts.rows * opts.existing))
        count_round_trips()
        data = open(big, "rb").read()
        read, _, _ = timed("bare read, python-calamine (chosen)", lambda: bare_calamine(big))
        if not opts.no_openpyxl:
            timed("bare read, openpyxl read-only (alternative)", lambda: bare_openpyxl(big))
        preview, trips, summary = timed("preview (dry run, everything)", lambda: imports.run(data, "social", target))
        again, _, _ = timed("bare read, python-calamine, again", lambda: bare_calamine(big))
        bare = (read + again) / 2
        print(f"  -> {summary.rows:,} rows: create {summary.created:,}, update {summary.updated:,}, unchanged "
              f"{summary.unchanged:,}, errors {len(summary.errors)}; {bare and preview / bare:.2f}x bare read, store excluded "
              f"(target <= 5x); {trips / summary.rows * 1000:.2f} round trips per 1,000 rows")
        confirm, trips, result = timed("confirm, store writes stubbed", lambda: stubbed_confirm(data, target))
        print(f"  -> {bare and confirm / bare:.2f}x bare read, store excluded (target <= 8x); "
              f"{trips / result.rows * 1000:.2f} round trips per 1,000 rows")
        found = floors(data, target)
        print("floors: what the issue's own checks cost before any work of ours (CPU, same file)")
        for label, took in found.items():
            print(f"  {label:<60}{took:6.2f} s  {bare and took / bare:4.1f}x bare read")
        floor = sum(found.values())
        print(f"  -> {bare and floor / bare:.1f}x of the 5x preview budget; left for values, people, plan, keys and "
              f"digests: {max(0.0, 5 * bare - floor) / summary.rows * 1e6:.0f} us per row (they cost "
              f"{(preview - floor) / summary.rows * 1e6:.0f} us per row now)")
        small, trips, _ = timed("preview of a one-row file, same organisation", lambda: imports.run(
            open(one, "rb").read(), "social", target))
        print(f"  -> {trips} round trips for one row (the organisation holds {PEOPLE:,} people, "
              f"{int(opts.rows * opts.existing):,} accounts)")
        from imports import workbook

        heap_preview = import_peak_mb(lambda: imports.run(data, "social", target))
        heap_confirm = import_peak_mb(lambda: stubbed_confirm(data, target))
        child = workbook.LAST_CHILD.get("peak_kb", 0) / 1024
        print(f"memory (target < 300 MB): import peak {heap_preview:.0f} MB (preview), {heap_confirm:.0f} MB "
              f"(confirm); reader child {child:.0f} MB. For information, not the target: this whole process, "
              f"the in-process store and its data included, {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
