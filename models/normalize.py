"""Normalisation and validation of every free-form value the register holds.

One place per rule: models, forms, imports, exports, search and the CLI all call
these functions. Each normaliser takes raw user input and returns the canonical
value, ``None`` for an empty value, or raises :class:`NormalizeError` with a
Vietnamese message.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mongoengine import Q


class NormalizeError(ValueError):
    """A value that cannot be normalised; ``str(err)`` is a Vietnamese message."""


_SPACES = re.compile(r"\s+")


def text(value: object) -> str | None:
    """NFC, trimmed, inner whitespace collapsed; empty becomes ``None``."""
    if value is None:
        return None
    s = unicodedata.normalize("NFC", str(value))
    s = _SPACES.sub(" ", s).strip()
    return s or None


def multiline(value: object) -> str | None:
    """NFC and trimmed, keeping line breaks (summaries, conclusions)."""
    if value is None:
        return None
    s = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").strip()
    return s or None


def fold(value: object) -> str:
    """Accent- and case-insensitive form: ``Nguyễn Văn An`` -> ``nguyen van an``."""
    s = text(value) or ""
    s = s.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", s.lower()).strip()


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y;
# tones sort after the base letter in the order ngang, huyền, hỏi, ngã, sắc, nặng.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_BASE_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn belong to the letter


def _letter_key(ch: str) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFD", ch.lower())
    base = "".join(c for c in decomposed if c not in _TONES or c == "")
    tone = next((_TONES[c] for c in decomposed if c in _TONES and c), 0)
    base = unicodedata.normalize("NFC", base)
    if base in _ALPHABET:
        return chr(0x100 + _ALPHABET.index(base)), tone
    return base, tone


def vn_sort_key(full_name: object) -> str:
    """Sort key for Vietnamese names: given name first, then the rest, in the Vietnamese
    alphabet (``Ân`` after ``An``, ``Đức`` after ``Dũng``). Precomputed and indexed,
    because MongoDB's ``vi`` collation is not available in the in-process store."""
    words = (text(full_name) or "").split(" ")
    ordered = words[-1:] + words[:-1]
    parts = []
    for word in ordered:
        keys = [_letter_key(c) for c in word]
        parts.append("".join(k for k, _ in keys) + "".join(str(t) for _, t in keys))
    return " ".join(parts)


_PHONE_JUNK = re.compile(r"[\s.\-()/]")


def phone(value: object) -> str | None:
    """Vietnamese phone numbers: ``912345678``, ``+84 912 345 678``, ``0912.345.678``,
    ``84912345678`` -> ``0912345678``. Landlines (``024 3825 1234``) are kept too."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = _PHONE_JUNK.sub("", unicodedata.normalize("NFKC", str(value)))
    if s.startswith("+84"):
        s = "0" + s[3:]
    elif s.startswith("0084"):
        s = "0" + s[4:]
    elif s.startswith("84") and len(s) == 11:
        s = "0" + s[2:]
    elif not s.startswith("0") and len(s) in (9, 10):
        s = "0" + s  # lost its leading zero in a spreadsheet
    if not s.isdigit() or not s.startswith("0") or len(s) not in (10, 11):
        raise NormalizeError("Số điện thoại không hợp lệ (ví dụ đúng: 0912345678).")
    if len(s) == 10 and s[1] not in "35789":
        raise NormalizeError("Số điện thoại di động không hợp lệ (đầu số 03, 05, 07, 08, 09).")
    if len(s) == 11 and s[1] != "2":
        raise NormalizeError("Số điện thoại không hợp lệ (ví dụ đúng: 0912345678).")
    return s


_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def email(value: object) -> str | None:
    s = text(value)
    if s is None:
        return None
    s = s.replace(" ", "")
    local, _, domain = s.rpartition("@")
    s = f"{local}@{domain.lower()}" if local else s
    if len(s) > 254 or not _EMAIL.match(s):
        raise NormalizeError("Địa chỉ email không hợp lệ (ví dụ đúng: ten@example.com).")
    return s


_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$")


def _host_ok(host: str) -> bool:
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return bool(_HOST.match(host))


# lower-case scheme and host, no port, no user, no fragment, nothing to re-encode
_CLEAN_URL = re.compile(r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}"
                        r"(?:[/?][A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?(?<!\?)$")


def url(value: object) -> str | None:
    """A web address; gains ``https://`` when the scheme is missing; host lower-cased."""
    s = text(value)
    if s is None:
        return None
    s = s.replace(" ", "")
    if _CLEAN_URL.match(s) and len(s.partition("//")[2].split("/", 1)[0].split("?", 1)[0]) <= 253:
        return s  # already canonical: _parse_url would return it unchanged (tested)
    return _parse_url(s)


def _parse_url(s: str) -> str:
    if s.startswith("//"):
        s = "https:" + s
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", s):
        s = "https://" + s
    invalid = NormalizeError("Đường dẫn không hợp lệ (ví dụ đúng: https://www.facebook.com/nguyenvana).")
    try:
        parts = urlsplit(s)
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise invalid from None
    if parts.scheme.lower() not in ("http", "https"):
        raise NormalizeError("Đường dẫn phải bắt đầu bằng http:// hoặc https://.")
    host = (parts.hostname or "").lower()
    if not host or not _host_ok(host) or parts.username or parts.password:
        raise invalid
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, ""))


def domain(value: object) -> str | None:
    """Form 1 column (6): ``name.ext`` (lower-cased) or a full address ``https://…``."""
    s = text(value)
    if s is None:
        return None
    s = s.replace(" ", "")
    if "://" in s or "/" in s.rstrip("/"):
        return url(s).rstrip("/")
    host = s.rstrip("/").lower()
    if not _host_ok(host):
        raise NormalizeError("Tên miền không hợp lệ (ví dụ đúng: abc.com hoặc https://tenblog.blogspot.com).")
    return host


_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mibextid|igshid|si|ref|__tn__|__cft__.*|_rdr|rdid|share_url)$")
_HOST_ALIASES = {"fb.com": "facebook.com", "m.facebook.com": "facebook.com",
                 "mbasic.facebook.com": "facebook.com", "web.facebook.com": "facebook.com",
                 "m.youtube.com": "youtube.com", "youtu.be": "youtube.com",
                 "mobile.twitter.com": "twitter.com", "x.com": "twitter.com",
                 "vt.tiktok.com": "tiktok.com", "m.tiktok.com": "tiktok.com"}


def url_key(value: object) -> str | None:
    """Comparable form of an address, for uniqueness and owner look-up:
    no scheme, no ``www.``/mobile host, no tracking parameters, no trailing slash,
    lower-case host and path (``fb.com/NguyenVanA/?fbclid=x`` -> ``facebook.com/nguyenvana``).
    """
    u = url(value)
    if u is None:
        return None
    parts = urlsplit(u)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    host = _HOST_ALIASES.get(host, host)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]
    keep = urlencode(sorted(query))
    path = parts.path.rstrip("/").lower()
    return host + path + (f"?{keep}" if keep else "")


def ip_place(value: object) -> str | None:
    """Form 1 column (7): ``IP/place`` such as ``123.124.125.124/Việt Nam`` or
    ``2001:db8::1/Mỹ``. The IP is validated (IPv4 or IPv6); the place is free text."""
    s = text(value)
    if s is None:
        return None
    ip_part, sep, place = s.partition("/")
    ip_part, place = ip_part.strip(), (text(place) or "")
    try:
        ip = ipaddress.ip_address(ip_part)
    except ValueError:
        raise NormalizeError("IP máy chủ không hợp lệ (ví dụ đúng: 123.124.125.124/Việt Nam).") from None
    if not sep or not place:
        raise NormalizeError("Thiếu vị trí địa lý sau dấu / (ví dụ đúng: 1.1.1.2/Mỹ).")
    return f"{ip.compressed}/{place}"


_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def date(value: object) -> dt.date | None:
    """dd/mm/yyyy text (also with ``.`` or ``-``), ISO text, Excel serial numbers,
    ``date`` and ``datetime`` values -> ``date``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise NormalizeError("Ngày không hợp lệ (định dạng dd/mm/yyyy).")
    s = text(value)
    if s is None:
        return None
    m = _DATE_TEXT.match(s)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = _ISO_DATE.match(s)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise NormalizeError("Ngày không hợp lệ (định dạng dd/mm/yyyy, ví dụ 02/10/2023).")


def format_date(value: dt.date | dt.datetime | None) -> str:
    """The one display format for dates: dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def to_datetime(value: dt.date | None) -> dt.datetime | None:
    """BSON stores datetimes only; dates are kept at midnight UTC (naive)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


#: search keys hold every folded word and its prefixes up to this length, no longer: a
#: longer partial word is matched as the range of whole words that start with it (see
#: ``search_condition``). Chosen with ``bench/bench_scale.py`` (prefix figures): unbounded
#: prefixes gave ~46 keys per account and a two-letter key matched most of the register.
PREFIX_LEN = 1


def search_tokens(*values: object, prefixes: bool = True) -> list[str]:
    """Precomputed search keys: folded words (and their prefixes up to ``PREFIX_LEN``),
    so that a search is an indexed match on an array, never a regex."""
    out: set[str] = set()
    for value in values:
        for word in fold(value).replace("/", " ").split(" "):
            word = word.strip(".,;:()[]\"'")
            if not word:
                continue
            out.add(word)
            if prefixes:
                out.update(word[:i] for i in range(1, min(len(word), PREFIX_LEN + 1)))
    return sorted(out)


def search_condition(tokens: list[str] | tuple[str, ...], field: str = "search_keys") -> Q:
    """The filter for typed tokens, all of which must match: a short token is an equality
    on a stored prefix; a longer one is the range of whole words starting with it, inside
    ``$elemMatch`` so that real MongoDB scans one bounded range of the multikey index."""
    out = Q()
    for t in tokens:
        if len(t) <= PREFIX_LEN:
            out &= Q(**{field: t})
        else:
            out &= Q(**{f"{field}__match": {"$gte": t, "$lt": t[:-1] + chr(ord(t[-1]) + 1)}})
    return out


def query_tokens(query: str) -> list[str]:
    """Turn what the officer typed into the keys to match (all must match)."""
    q = text(query) or ""
    try:
        p = phone(q)
    except NormalizeError:
        p = None
    if p and re.fullmatch(r"[+\d\s.\-()]+", q):
        return [p]
    return [w.strip(".,;:()[]\"'") for w in fold(q).split(" ") if w.strip(".,;:()[]\"'")]


_PLATFORMS = {"facebook": "Facebook", "fb": "Facebook", "youtube": "Youtube", "yt": "Youtube",
              "tiktok": "Tiktok", "tik tok": "Tiktok", "zalo": "Zalo", "twitter": "Twitter",
              "x": "Twitter", "instagram": "Instagram", "ig": "Instagram", "telegram": "Telegram",
              "linkedin": "LinkedIn", "khac": "Khác"}


def platform(value: object) -> str | None:
    """Canonical platform name (``facebook``, ``FB`` -> ``Facebook``); others kept as typed."""
    s = text(value)
    if s is None:
        return None
    return _PLATFORMS.get(fold(s), s)
