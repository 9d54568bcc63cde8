"""Ensure that every normalisation rule turns messy field data into one canonical form."""

import datetime as dt

import pytest

from models import normalize as n
from models import search


@pytest.mark.parametrize("raw,expected", [
    ("912345678", "0912345678"), (912345678, "0912345678"), (912345678.0, "0912345678"),
    ("+84 912 345 678", "0912345678"), ("0912.345.678", "0912345678"), ("84912345678", "0912345678"),
    ("0084912345678", "0912345678"), ("(024) 3825 1234", "02438251234"), ("  0987-654-321 ", "0987654321"),
    ("", None), (None, None),
])
def test_phone_forms(raw, expected):
    assert n.phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "0112345678", "09123456789012", "abc", "091234567x"])
def test_phone_invalid(raw):
    with pytest.raises(n.NormalizeError, match="Số điện thoại"):
        n.phone(raw)


@pytest.mark.parametrize("raw,expected", [
    ("facebook.com/nguyenvana", "https://facebook.com/nguyenvana"),
    ("HTTPS://WWW.Facebook.com/NguyenVanA", "https://www.facebook.com/NguyenVanA"),
    ("//zalo.me/0912345678", "https://zalo.me/0912345678"),
    (" https://tenblog.blogspot.com ", "https://tenblog.blogspot.com"),
])
def test_url_gains_scheme(raw, expected):
    assert n.url(raw) == expected


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "ftp://x.com/a", "http://", "https://no_tld", "http://u:p@x.com",
                                 "http://x.com:abc/", "http://[::1/", "https://x.com:99999/"])
def test_url_invalid(raw):
    with pytest.raises(n.NormalizeError):
        n.url(raw)


@pytest.mark.parametrize("raw,expected", [
    ("https://m.facebook.com/NguyenVanA/?fbclid=abc", "facebook.com/nguyenvana"),
    ("fb.com/nguyenvana", "facebook.com/nguyenvana"),
    ("www.facebook.com/profile.php?id=100&utm_source=x", "facebook.com/profile.php?id=100"),
])
def test_url_key(raw, expected):
    assert n.url_key(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("ABC.com", "abc.com"), ("https://TenBlog.blogspot.com/", "https://tenblog.blogspot.com"),
    ("tenmien.vn/", "tenmien.vn"),
])
def test_domain(raw, expected):
    assert n.domain(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("123.124.125.124/Việt Nam", "123.124.125.124/Việt Nam"), (" 1.1.1.2 / Mỹ ", "1.1.1.2/Mỹ"),
    ("2001:DB8:0:0::1/Mỹ", "2001:db8::1/Mỹ"),
])
def test_ip_place(raw, expected):
    assert n.ip_place(raw) == expected


@pytest.mark.parametrize("raw", ["999.1.1.1/Mỹ", "1.1.1.1", "1.1.1.1/", "máy chủ/Việt Nam"])
def test_ip_place_invalid(raw):
    with pytest.raises(n.NormalizeError):
        n.ip_place(raw)


@pytest.mark.parametrize("raw,expected", [
    ("02/10/2023", dt.date(2023, 10, 2)), ("2/10/2023", dt.date(2023, 10, 2)), ("02.10.2023", dt.date(2023, 10, 2)),
    ("2023-10-02", dt.date(2023, 10, 2)), (45201, dt.date(2023, 10, 2)), (dt.datetime(2023, 10, 2, 8), dt.date(2023, 10, 2)),
])
def test_dates(raw, expected):
    assert n.date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2023", "2023/13/01", "hôm qua", "10/2023"])
def test_dates_invalid(raw):
    with pytest.raises(n.NormalizeError, match="dd/mm/yyyy"):
        n.date(raw)


def test_text_nfc_and_spaces():
    decomposed = "Nguye\u0302\u0303n  Va\u0306n\tAn "
    assert n.text(decomposed) == "Nguyễn Văn An"


def test_fold_removes_accents():
    assert n.fold("Đặng Thị Ánh") == "dang thi anh"


def test_vietnamese_name_order():
    names = ["Lê Đức", "Phạm Dũng", "Nguyễn Văn Ân", "Trần An", "Hoàng Anh", "Vũ Bình"]
    assert sorted(names, key=n.vn_sort_key) == ["Trần An", "Hoàng Anh", "Nguyễn Văn Ân", "Vũ Bình", "Phạm Dũng", "Lê Đức"]


def test_email():
    assert n.email(" An.Nguyen@Example.COM ") == "An.Nguyen@example.com"
    with pytest.raises(n.NormalizeError, match="email"):
        n.email("khongco-email")


def test_query_tokens_phone_and_words():
    assert search.query_tokens("0912 345 678") == ["0912345678"]
    assert search.query_tokens("Nguyễn văn AN") == ["nguyen", "van", "an"]


def test_url_fast_path_agrees_with_full_parse():
    import random

    rng = random.Random(7)
    alphabet = "abcXYZ019-._~/?=&@:%#!$'()*+,;"
    fast = 0
    for _ in range(20000):
        raw = (rng.choice(["https://", "http://"]) + rng.choice(["facebook.com", "www.x.vn", "a-b.c.com"])
               + rng.choice(["/", "?", ""]) + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))))
        try:
            expected = n._parse_url(raw)
        except n.NormalizeError:
            expected = None
        if n._CLEAN_URL.match(raw):
            fast += 1
            assert n.url(raw) == expected == raw, raw
        elif expected is None:
            with pytest.raises(n.NormalizeError):
                n.url(raw)
        else:
            assert n.url(raw) == expected, raw
    assert 1000 < fast < 20000, fast  # both paths were exercised, many times each


def test_on_or_after_is_an_inclusive_bound_at_the_stores_precision():
    """Ensure that the ``$gt`` form of ``field >= value`` keeps exactly the records ``$gte`` would,
    at BSON's millisecond precision (a bound with microseconds included)."""
    import datetime as dt

    from models.clock import on_or_after

    day = dt.datetime(2026, 10, 14)
    (key, bound), = on_or_after("held_on", day).items()
    assert key == "held_on__gt" and bound < day and bound + dt.timedelta(milliseconds=1) == day
    odd = dt.datetime(2026, 10, 14, 8, 0, 0, 123400)  # stored values hold whole milliseconds
    (_, bound), = on_or_after("at", odd).items()
    stored = [dt.datetime(2026, 10, 14, 8, 0, 0, ms * 1000) for ms in range(120, 127)]
    assert [s for s in stored if s > bound] == [s for s in stored if s >= odd]
