"""Run as a separate process by :mod:`imports.workbook`: read a workbook under a memory
and CPU ceiling, print its visible sheets. Imports nothing of the product.

stdin: the workbook bytes. argv: memory bytes, CPU seconds. stdout: ``marshal`` of
``[(name, visible, rows, merged, dates)]``; dates travel as tuples ``(y, m, d[, H, M, S])``,
``dates`` lists where they are (row index, column index).
"""

import datetime as dt
import io
import marshal
import resource
import sys

_PLAIN = frozenset({str, float, int, bool, type(None)})


def _value(v):
    if isinstance(v, dt.datetime):
        return (v.year, v.month, v.day, v.hour, v.minute, v.second)
    if isinstance(v, dt.date):
        return (v.year, v.month, v.day)
    if isinstance(v, dt.time | dt.timedelta):
        return str(v)
    return v


def main() -> None:
    memory, seconds = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    import python_calamine as calamine

    data = sys.stdin.buffer.read()
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    out = []
    for meta in book.sheets_metadata:
        visible = str(meta.visible).rsplit(".", 1)[-1] == "Visible"
        if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
            continue
        if not visible:
            out.append((meta.name, False, [], [], []))
            continue
        sheet = book.get_sheet_by_name(meta.name)
        rows = sheet.to_python(skip_empty_area=False)
        dates = []  # where the tuples are that the parent turns back into dates
        for r, row in enumerate(rows):  # in place; only dates and times are not marshallable
            for i, v in enumerate(row):
                if v.__class__ not in _PLAIN:
                    row[i] = v = _value(v)
                    if v.__class__ is tuple:
                        dates.append((r, i))
        merged = []  # absolute, like the rows read without skipping the empty area
        try:
            merged = [(tuple(a), tuple(b)) for a, b in (sheet.merged_cell_ranges or [])]
        except Exception:  # not every container has them
            merged = []
        out.append((meta.name, True, rows, merged, dates))
    sys.stdout.buffer.write(marshal.dumps(out))
    sys.stderr.write(f"PEAK_KB {_peak_kb()}\n")  # for bench/


def _peak_kb():
    """This process's peak RSS since it started the reader (``VmHWM``: ``ru_maxrss`` would
    include the parent's size at fork, kept across exec on Linux)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main()
