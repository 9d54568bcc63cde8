"""Ensure that Flask-Admin's texts come out in corrected Vietnamese."""

import os

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from admin.i18n import TRANSLATIONS


def test_compiled_catalogue_matches_source():
    base = os.path.join(TRANSLATIONS, "vi", "LC_MESSAGES", "admin")
    with open(base + ".po", "rb") as po, open(base + ".mo", "rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    for message in source:
        if message.id:
            assert compiled.get(message.id) is not None, message.id
            assert list(_as_tuple(compiled.get(message.id).string)) == list(_as_tuple(message.string)), message.id


def test_corrected_messages_used(admin_client, world):
    html = admin_client.get("/admin/member/").get_data(as_text=True)
    assert "Thêm mới" in html and "mặt hàng" not in html
    r = admin_client.post("/admin/member/new/", data={"full_name": "", "csrf_token": _token(admin_client)})
    assert "Không tạo được bản ghi" in r.get_data(as_text=True)


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/admin/member/new/")


def _as_tuple(value):
    return value if isinstance(value, list | tuple) else (value,)
