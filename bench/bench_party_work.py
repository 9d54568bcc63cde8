"""Party-work screens on the demo register: database round trips and time.

    .venv/bin/python bench/bench_party_work.py

Prints, for the meetings list at page sizes 20/50/100, the number of round trips
(``find``/``count``/``aggregate`` calls) and for the monthly meeting report, the study
progress and the task report (district and one commune) the round trips and the
wall time of the in-process store (real MongoDB answers the same indexed queries;
the figures that matter are the round-trip counts, which must not depend on size).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mongomock.collection  # noqa: E402

from app import create_app  # noqa: E402

OPS = ["find", "find_one", "count_documents", "aggregate", "estimated_document_count"]
calls: list[str] = []


def _count() -> None:
    for name in OPS:
        original = getattr(mongomock.collection.Collection, name)

        def wrapper(self, *a, _o=original, _n=name, **kw):
            calls.append(f"{self.name}.{_n}")
            return _o(self, *a, **kw)

        setattr(mongomock.collection.Collection, name, wrapper)


def measure(label: str, fn) -> None:
    calls.clear()
    start = time.perf_counter()
    fn()
    ms = (time.perf_counter() - start) * 1000
    print(f"{label:<58} {len(calls):>4} round trips {ms:>8.1f} ms")


def main() -> None:
    app = create_app({"MONGODB_URI": f"mongomock://localhost/bench_{uuid.uuid4().hex}", "SECRET_KEY": "b",
                      "SEED_DEMO": False, "DEMO_MODE": False, "TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        from models import Meeting, Organisation, StudyCampaign, User
        from services import demo, party_reports

        demo.seed()
        admin = User(username="bench", organisation=Organisation.objects(code="HU-VB").get(), role="admin")
        admin.set_password("Bench-password-2026")
        admin.save()
        district, commune = Organisation.objects(code="HU-VB").get(), Organisation.objects(code="X01").get()
        campaign = StudyCampaign.objects.first()
        print(f"demo register: {Meeting.objects.count()} meetings, {Organisation.objects(kind='cell').count()} cells")
    _count()
    client = app.test_client()
    client.post("/login/", data={"username": "bench", "password": "Bench-password-2026"})
    for size in (20, 50, 100):
        measure(f"meetings list, page size {size}", lambda s=size: client.get(f"/admin/meeting/?page_size={s}"))
    today = dt.date.today()
    with app.app_context():
        for org in (district, commune):
            measure(f"monthly meeting report, {org.name}",
                    lambda o=org: party_reports.meeting_report(o, admin, today.year, today.month))
            measure(f"monthly task report, {org.name}",
                    lambda o=org: party_reports.task_report(o, admin, today.year, today.month))
        measure("study progress of the district campaign (district)", lambda: party_reports.study_progress(campaign, admin))
    measure("monthly meeting report xlsx (district, HTTP)",
            lambda: client.get(f"/admin/bao-cao-cong-tac-dang/sinh-hoat/xlsx/?org={district.pk}").close())
    measure("work calendar (district, HTTP)", lambda: client.get("/admin/lich-cong-tac/"))


if __name__ == "__main__":
    main()
