"""Form 2 export of N rows (default 100,000): our path vs bare xlsxwriter vs Flask-Admin's
built-in xlsx export (tablib + openpyxl). Run by hand; prints comparable figures.

    .venv/bin/python bench/bench_export.py [--rows 100000]

What is timed, and why:

* **store query (excluded)** — the in-process store (mongomock) filters and sorts in
  Python and copies every document; real MongoDB answers the same indexed query
  (``scope`` equality, ``org_key, member_sort_key`` index) far faster and streams it in
  batches. So the cursor's raw documents are materialised first, untimed, and each path
  below starts from that same list.
* **bare xlsxwriter** — the same cells (the printed texts, computed beforehand, untimed),
  the same cell format, ``write_string``/``write_number`` in constant-memory mode, closed.
* **our path** — from the raw documents to the finished file: column (7) text, date
  formatting, title block (one query), header and numbering rows, every cell through the
  safe writer, signature block, print setup, close. Exactly what the web export and the
  CLI run after the cursor.
* **peak memory** — ``tracemalloc`` peak of our path (a separate run, since tracing slows
  Python); the materialised list is allocated before tracing starts, as a real cursor
  would hold one batch at a time. The process's max RSS is printed too (it includes the
  in-process store and the list).
* **Flask-Admin built-in** — the list view's own ``export_types=['xlsx']`` export of the
  same columns, its ``get_list`` fed from the same raw documents (building the documents
  it needs is part of its path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xlsxwriter  # noqa: E402

from app import create_app  # noqa: E402
from exports import FORM2, form_cells, write_form  # noqa: E402
from exports.xlsx import OPTIONS  # noqa: E402
from models import Organisation, SocialAccount, normalize  # noqa: E402
from services import reports  # noqa: E402

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Hữu"]
GIVEN = ["An", "Ân", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hà", "Hương", "Lan", "Long", "Nam", "Yến"]
PLATFORMS = ["Facebook", "Zalo", "TikTok", "YouTube"]


def build_tree() -> tuple[Organisation, list[Organisation]]:
    root = Organisation(code="HU", name="Huyện ủy Vĩnh Bảo", kind="committee", place="Vĩnh Bảo")
    root.save()
    cells = []
    for i in range(10):
        commune = Organisation(code=f"X{i:02d}", name=f"Đảng bộ xã số {i}", parent=root, kind="committee")
        commune.save()
        for j in range(10):
            cell = Organisation(code=f"X{i:02d}-{j:02d}", name=f"Chi bộ thôn {j} xã {i}", parent=commune, kind="cell")
            cell.save()
            cells.append(cell)
    return root, cells


def insert_accounts(cells: list[Organisation], rows: int) -> None:
    """Raw documents shaped exactly as SocialAccount.save() leaves them (saving 100k one by one is slow)."""
    rnd = random.Random(7)
    docs = []
    for k in range(rows):
        cell = cells[k % len(cells)]
        name = f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        page = k % 17 == 0
        docs.append({
            "_cls": "SocialAccount", "scope": list(cell.scope), "organisation": cell.pk, "member": cell.pk,
            "org_name": cell.name, "org_key": cell.tree_key, "member_name": name, "member_sort_key": normalize.vn_sort_key(name),
            "position": "Đảng viên", "platform": rnd.choice(PLATFORMS), "account_name": name,
            "url": f"https://www.facebook.com/{'groups/' if page else ''}user{k}", "url_key": f"facebook.com/user{k}",
            "link_type": "group" if page else "personal", "admin_role": "Quản trị viên" if page else None,
            "registration_phone": f"09{k:08d}", "registration_email": f"user{k}@gmail.com",
            "established_on": dt.datetime(2015, 1, 1) + dt.timedelta(days=k % 3000),
            "updated_on": dt.datetime(2026, 1, 1) + dt.timedelta(days=k % 300),
            "purpose": "Tuyên truyền", "quality_issues": [], "search_keys": [], "deleted_at": None,
            "created_at": dt.datetime(2026, 1, 1), "modified_at": dt.datetime(2026, 1, 1)})
    collection = SocialAccount._get_collection()
    # mongomock checks unique indexes by scanning the collection on every insert (quadratic);
    # the in-process store serves queries by scanning anyway, so the bench drops them.
    collection.drop_indexes()
    collection.insert_many(docs)


def timed(label: str, fn, *args, repeat: int = 1):
    """Best of ``repeat`` runs, in CPU seconds of this process (five engineers share two cores:
    wall-clock time mostly measures the neighbours) with the wall-clock time beside it."""
    best = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn(*args)
        run = (time.process_time() - cpu, time.perf_counter() - wall)
        best = run if best is None or run[0] < best[0] else best
    print(f"  {label:<44} {best[0]:8.2f} s CPU  ({best[1]:.2f} s wall)")
    return best[0], result


def bare_xlsxwriter(cells: list[list[str]], path: str) -> None:
    book = xlsxwriter.Workbook(path, OPTIONS)
    fmt = book.add_format({"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True,
                           "border": 1})
    ws = book.add_worksheet()
    for r, row in enumerate(cells, start=8):
        ws.write_number(r, 0, r - 7, fmt)
        for c, value in enumerate(row, start=1):
            ws.write_string(r, c, value, fmt)
    book.close()


def our_path(docs: list[dict], root: Organisation, path: str) -> int:
    block = reports.title_block(root, dt.date.today())
    return write_form(path, FORM2, block, iter(docs))


def builtin_export(app, root: Organisation, docs: list[dict]) -> int:
    """Flask-Admin's own xlsx export of the same columns, fed from the same raw documents."""
    from flask_login import login_user

    from admin.accounts import SocialAccountView
    from models import User

    class BuiltinView(SocialAccountView):
        can_export = True
        export_types = ["xlsx"]
        export_max_rows = 0
        column_export_list = ["org_name", "member_name", "position", "platform", "account_name", "url",
                              "registration_phone", "registration_email", "established_on", "updated_on", "purpose"]

        def get_list(self, *args, **kwargs):
            return len(docs), (SocialAccount._from_son(d) for d in docs)

    user = User(username="bench", organisation=root, role="admin")
    user.set_password("Mat-khau-bench-2026")
    user.save()
    view = BuiltinView(SocialAccount, name="bench", endpoint="bench_builtin")
    with app.test_request_context("/admin/bench_builtin/export/xlsx/"):
        login_user(user)
        response = view._export_tablib("xlsx", "/")
        return len(response.get_data())


def traced_peak(run) -> float:
    """Peak MB allocated while ``run`` works; what ``run`` receives is allocated before tracing."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-builtin", action="store_true")
    args = parser.parse_args()
    os.environ.pop("MONGODB_URI", None)
    app = create_app({"MONGODB_URI": "mongomock://localhost/bench", "SECRET_KEY": "bench", "SEED_DEMO": False,
                      "DEMO_MODE": False})
    tmp = tempfile.mkdtemp(prefix="bench_export_")
    with app.app_context():
        root, cells = build_tree()
        print(f"Form 2 export, {args.rows:,} rows ({len(cells)} cells)")
        timed("insert test data (setup)", insert_accounts, cells, args.rows)
        query = reports.form_cursor("social", reports.scope.in_subtree(SocialAccount, root, reports.OrgPrincipal(root)))
        _, docs = timed("store query, materialised (excluded)", list, query)
        texts = list(form_cells(FORM2, docs))
        bare, _ = timed("bare xlsxwriter, same cells", bare_xlsxwriter, texts, f"{tmp}/bare.xlsx", repeat=2)
        del texts
        # our path prints column (7) from each raw document it is given (the layout; nothing is added)
        ours, count = timed("our path: raw documents -> file", our_path, docs, root, f"{tmp}/ours.xlsx", repeat=2)
        assert count == args.rows
        peak = traced_peak(lambda: our_path(docs, root, f"{tmp}/ours2.xlsx"))
        builtin = None
        if not args.skip_builtin:
            builtin, size = timed("Flask-Admin built-in xlsx export", builtin_export, app, root, docs)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'our path / bare xlsxwriter':<44} {ours / bare:8.2f} x   (target <= 1.3)")
    print(f"  {'peak memory of our path (tracemalloc)':<44} {peak:8.1f} MB  (target < 150)")
    if builtin:
        print(f"  {'built-in / our path':<44} {builtin / ours:8.2f} x   (target >= 3)")
    print(f"  {'process max RSS (store + list included)':<44} {rss:8.0f} MB")
    print(f"  {'our file':<44} {os.path.getsize(f'{tmp}/ours.xlsx') / 2**20:8.1f} MB")


if __name__ == "__main__":
    main()
