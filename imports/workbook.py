"""Stage 2, workbook and sheets: read every sheet, in a child process under a memory ceiling.

Reader: python-calamine (Rust; ``.xlsx``, ``.xls``, ``.ods``), about 12x faster than
openpyxl (figures in ``bench/bench_import.py``). A reader that runs out of memory aborts
its process: here that process is a child with ``RLIMIT_AS``/``RLIMIT_CPU`` set, so a
hostile file costs a refused import, never a dead web worker. Hidden and very hidden
sheets are not read; they are named in the preview.
"""

from __future__ import annotations

import datetime as dt
import marshal
import os
import subprocess
import sys
from dataclasses import dataclass, field

from .errors import PASSWORD_MESSAGE, ImportFileError, Limits
from .package import Package

_CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_reader_child.py")
#: the last read's child: its peak memory (KiB), for the benchmark
LAST_CHILD: dict[str, int] = {}


@dataclass
class Sheet:
    name: str
    rows: list[list] = field(repr=False)  # absolute: rows[0] is Excel row 1, column 0 is A
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # 0-based
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (Excel row, 0-based column)


@dataclass
class Workbook:
    container: str
    sheets: list[Sheet]
    hidden: list[str]  # names of sheets not read


def read(data: bytes, package: Package, limits: Limits) -> Workbook:
    try:
        done = subprocess.run([sys.executable, "-s", "-P", _CHILD, str(limits.reader_memory),
                               str(limits.reader_seconds)], input=data, capture_output=True,
                              timeout=limits.reader_seconds * 2, env=_env(), check=False)
    except subprocess.TimeoutExpired:
        raise ImportFileError("Đọc tệp quá lâu, bị dừng vì lý do an toàn.") from None
    if done.returncode != 0:
        raise ImportFileError(_reader_failure(done.stderr, package.container))
    for line in done.stderr.decode("ascii", "replace").splitlines():
        if line.startswith("PEAK_KB ") and line[8:].strip().isdigit():
            LAST_CHILD["peak_kb"] = int(line[8:])
    sheets, hidden = [], []
    for name, visible, rows, merged, dates in marshal.loads(done.stdout):
        if not visible:
            hidden.append(name)
            continue
        scan = package.sheets.get(name)
        if scan is None:  # the reader found a sheet the package checks did not scan: fail closed
            raise ImportFileError(f"Trang “{name}” của tệp không kiểm tra được (công thức, vùng dữ liệu), "
                                  "bị từ chối vì lý do an toàn; hãy lưu lại tệp bằng Excel hoặc LibreOffice.")
        for r, i in dates:  # dates travel as tuples: converted in place (no second copy of the sheet)
            rows[r][i] = _value(rows[r][i])
        sheets.append(Sheet(name, rows,
                            [tuple(m) for m in (merged or scan.merged)], scan.formulas))
    return Workbook(package.container, sheets, hidden)


def _env() -> dict[str, str]:
    """Nothing of the parent's environment (secrets, settings) goes to the reader."""
    return {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}


def _reader_failure(stderr: bytes, container: str) -> str:
    text = stderr.decode("utf-8", "replace")
    if "MemoryError" in text or "memory allocation" in text or not text.strip():
        return ("Tệp cần quá nhiều bộ nhớ để đọc (vùng dữ liệu khai báo quá lớn hoặc tệp bị hỏng), "
                "bị từ chối vì lý do an toàn.")
    if "password" in text.lower() or "encrypt" in text.lower():
        return PASSWORD_MESSAGE
    return f"Tệp .{container} bị hỏng, không đọc được."


def _value(v: object) -> object:
    if v.__class__ is tuple:
        return dt.datetime(*v) if len(v) > 3 else dt.date(*v)
    return v
