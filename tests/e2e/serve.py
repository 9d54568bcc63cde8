"""Run the real panel for the browser tests: ``python -m tests.e2e.serve``.

The demo register is seeded into a fresh database of the suite's store (``tests/stores.py``), plus a few records the
journey looks for; then the WSGI server listens on a free loopback port, which is
printed as ``PORT <n>`` once the panel is ready.
"""

from __future__ import annotations

import sys
import uuid

from werkzeug.serving import make_server

from app import create_app
from models import Organisation
from services import demo
from tests import factories, stores

OFFICER = "canbo_e2e"
DISTRICT_ADMIN = "quantri_e2e"
VIEWER = "xem_e2e"
PASSWORD = factories.PASSWORD
PHONE = "0912888777"
URL = "https://www.facebook.com/kiemthu.e2e"
DECLARER = "Đỗ Thị Khánh"


def prepare() -> None:
    """Demo data, the officer of commune X01, and one address declared twice."""
    demo.seed()
    commune = Organisation.objects(code="X01").get()
    cell = Organisation.objects(code="X01-CB01").get()
    factories.user(OFFICER, commune, "officer")
    factories.user(DISTRICT_ADMIN, Organisation.objects(code="HU-VB").get(), "admin")
    factories.user(VIEWER, commune, "viewer")
    owner = factories.member(cell, "Hoàng Minh Kiểm", phone=PHONE, position="Bí thư Đoàn thanh niên")
    factories.account(owner, URL, purpose="Tuyên truyền")
    other = factories.member(Organisation.objects(code="X01-CB02").get(), "Lý Thu Trang", position="Giáo viên")
    factories.account(other, "m.facebook.com/kiemthu.e2e/", account_name="Trang Lý")
    # the declaration journey (issue 26): a member with one account and one site
    declarer = factories.member(cell, DECLARER, phone="0912777666", position="Cán bộ văn hóa")
    factories.account(declarer, "https://www.facebook.com/dothikhanh.e2e", account_name="Đỗ Thị Khánh")
    factories.site(declarer, "dothikhanh-e2e.blogspot.com", site_name="Góc văn hóa thôn")


def main() -> None:
    # the run's store (PANEL_TEST_STORE from the suite: the strict store, or its SecantusDB server)
    app = create_app({**stores.current().config("e2e"), "SEED_DEMO": False,
                      "DEMO_MODE": True, "SECRET_KEY": uuid.uuid4().hex})
    with app.app_context():
        prepare()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
