"""An officer reviewing a 300-person declaration round on the demo register.

    .venv/bin/python bench/bench_declaration.py [--people 300]

Seeds the demo register, opens a round for the district's first N active people, has each
of them send a clean declaration (their records still correct, one new account), then, as
the district administrator through the full Flask stack: times the review page, counts its
round trips and documents (``tests/budget.py``), and times "approve all clean submissions"
(one click) until the queue is empty. Prints the figures.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from models import Member, Organisation, SocialAccount, User, normalize  # noqa: E402
from models.declaration import Declaration, DeclarationLink, DeclItem  # noqa: E402
from services import declaration, declaration_review, demo  # noqa: E402
from tests.budget import Budget  # noqa: E402

PASSWORD = "Bench-mat-khau-2026"


def prepare(app, people: int) -> tuple[str, str]:
    with app.test_request_context():
        demo.seed()
        district = Organisation.objects(code="HU-VB").get()
        admin = User(username="bench_admin", organisation=district, role="admin")
        admin.set_password(PASSWORD)
        admin.save()
        chosen = [str(m.pk) for m in Member.objects(status="active", deleted_at=None).order_by("sort_key").limit(people)]
        day = normalize.format_date(normalize.today())
        rnd = declaration.open_round(admin, district, "Đợt đo thời gian", day, chosen)
        started = time.perf_counter()
        for n, link in enumerate(DeclarationLink.objects(round=rnd)):
            records = declaration_review.registered(link.member)
            items = [DeclItem(kind=declaration_review.kind_of(r), action="keep", target=r.pk,
                              label=declaration_review.label_of(declaration_review.kind_of(r), declaration_review.values_of(r)),
                              before=declaration_review.values_of(r)) for r in records]
            values, errors = declaration_review.check("account", {
                "platform": "TikTok", "account_name": link.member_name, "url": f"@bench.khai.{n}",
                "link_type": "personal", "purpose": "Tuyên truyền"}, link.member)
            assert not errors, errors
            items.append(DeclItem(kind="account", action="add", values=values, label="TikTok"))
            declaration_review.submit(link, items, False)
        print(f"{people} submissions prepared in {time.perf_counter() - started:.1f} s")
        return str(rnd.pk), str(district.pk)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300)
    args = parser.parse_args()
    app = create_app({"MONGODB_URI": f"mongomock://localhost/bench_{uuid.uuid4().hex}", "SECRET_KEY": "bench",
                      "SEED_DEMO": False, "DEMO_MODE": False, "TESTING": True})
    rnd, _district = prepare(app, args.people)
    client = app.test_client()
    html = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]
    assert client.post("/login/", data={"username": "bench_admin", "password": PASSWORD, "csrf_token": token}).status_code == 302
    accounts_before = SocialAccount.objects(deleted_at=None).count()
    page = f"/admin/dot-khai-bao/duyet/?id={rnd}"
    with Budget() as budget:
        started = time.perf_counter()
        docs, trips, response = budget.measure(client, page)
        elapsed = time.perf_counter() - started
    html = response.get_data(as_text=True)
    print(f"review page: {elapsed * 1000:.0f} ms, {trips} round trips, {docs} documents, "
          f"{html.count('data-decl=')} submissions shown")
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
    with Budget() as budget:
        started = time.perf_counter()
        r = client.post("/admin/dot-khai-bao/duyet/tat-ca/", data={"csrf_token": token, "id": rnd})
        elapsed = time.perf_counter() - started
    assert r.status_code == 302, r.status_code
    left = Declaration.objects(round=rnd, state="waiting").count()
    added = SocialAccount.objects(deleted_at=None).count() - accounts_before
    print(f"approve all clean ({args.people} submissions): {elapsed:.1f} s, "
          f"{elapsed / args.people * 1000:.0f} ms per submission; {added} accounts written, {left} left waiting; "
          f"{budget.trips} round trips ({budget.trips / args.people:.1f} per submission), {budget.docs} documents")


if __name__ == "__main__":
    main()
