"""Normalisation and validation of every free-form value the register holds.

One place per rule: models, forms, imports, exports, search and the CLI all call
these functions. Each normaliser takes raw user input and returns the canonical
value, ``None`` for an empty value, or raises :class:`NormalizeError` with a
Vietnamese message.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# the clock and the display formats have their own modules (models.clock, models.display);
# ``normalize.today()`` and the others keep working for every caller
from .clock import LOCAL_TZ as LOCAL_TZ
from .clock import day_start as day_start
from .clock import local_date as local_date
from .clock import local_time as local_time
from .clock import on_or_after as on_or_after
from .clock import to_datetime as to_datetime
from .clock import today as today
from .clock import today_stored as today_stored
from .display import format_date as format_date
from .display import format_day as format_day
from .display import format_moment as format_moment


class NormalizeError(ValueError):
    """A value that cannot be normalised; ``str(err)`` is a Vietnamese message."""


_SPACES = re.compile(r"\s+")

_HASHABLE = (str, int, float, type(None))
#: entries per memo: what repeats in a file (cells, positions, platforms, dates) and a
#: row's own value met again by the next normaliser (address -> key -> search tokens);
#: a larger memo only keeps the file's unique values (memory, no hits)
_MEMO_SIZE = 4096


def _pure(fn):
    """Memoise a pure one-argument normaliser: imports call the same few on every row
    (an address is normalised, then keyed, then searched). Errors are not cached."""
    cached = functools.lru_cache(maxsize=_MEMO_SIZE, typed=True)(fn)

    @functools.wraps(fn)
    def call(value):
        return cached(value) if value.__class__ in _HASHABLE else fn(value)

    call.cache_clear = cached.cache_clear
    _CACHES.append(cached)
    return call


_CACHES: list = []


class Memo:
    """The results of pure normalisers for one import, per distinct value (keyed with its
    class: ``True``, ``1`` and ``1.0`` read differently); an error is remembered and raised
    again. Past ``cap`` entries new values are normalised but not remembered."""

    _MISSING = object()

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._store: dict[tuple, object] = {}

    def __len__(self) -> int:
        return len(self._store)

    def __call__(self, normalizer: Callable[[object], object], raw: object) -> object:
        key = (normalizer, raw.__class__, raw)
        try:
            hit = self._store.get(key, self._MISSING)
        except TypeError:  # an unhashable value (a list)
            return normalizer(raw)
        if hit is self._MISSING:
            try:
                hit = normalizer(raw)
            except NormalizeError as exc:
                hit = exc
            if len(self._store) < self.cap:
                self._store[key] = hit
        if isinstance(hit, NormalizeError):
            raise hit
        return hit


def clear_caches() -> None:
    """Forget every memoised result (benchmarks measure cold runs)."""
    for cached in _CACHES:  # models.search registers its token memo here too
        cached.cache_clear()



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


class _FoldTable(dict):
    """Character -> itself without combining marks (``ệ`` -> ``e``, ``đ`` -> ``d``), filled
    on first use: :func:`fold` is one ``str.translate`` (it runs on every cell an import
    reads). The same result as NFD and dropping every ``Mn`` character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code).replace("đ", "d").replace("Đ", "D")
        folded = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
        if len(self) < 100_000:
            self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(value: object) -> str:
    """Accent- and case-insensitive form: ``Nguyễn Văn An`` -> ``nguyen van an``."""
    s = text(value) or ""
    if not s.isascii():
        s = s.translate(_FOLD)
    return _SPACES.sub(" ", s.lower()).strip()


# Characters that show nothing (zero-width space/joiners, word joiner, BOM, soft hyphen,
# Mongolian vowel separator) and letters that look like Vietnamese ones but are not:
# ``Ð`` (U+00D0, Icelandic eth) for ``Đ`` (U+0110), and Cyrillic/Greek capitals and small
# letters drawn like Latin ones. Names are compared after these are removed or folded.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"))
_LOOKALIKE = str.maketrans({
    "Ð": "Đ", "ð": "đ", "Ɖ": "Đ", "ɖ": "đ",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "І": "I", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c",
    "у": "y", "х": "x", "і": "i", "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o",
})


def legacy_encoding(value: object) -> str | None:
    """``"tcvn3"``/``"vni"`` when text typed in a legacy 8-bit font was pasted as is
    (``Vò §×nh An``); the web forms warn, the import converts (see :mod:`models.vn_legacy`)."""
    from . import vn_legacy

    return vn_legacy.detect(value) if isinstance(value, str) else None


def clean_text(value: object) -> str | None:
    """:func:`text` without invisible characters and with look-alike letters folded."""
    if value is None:
        return None
    s = unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE).translate(_LOOKALIKE)
    return text(s)


# Where the tone mark sits. Two conventions are in everyday use and officers mix them, even
# within one document (the seeds hold both ``ủy`` and ``uỷ``). They differ in one place only:
# an open syllable ending in ``oa``, ``oe`` or ``uy`` (nothing after it, and the ``u`` not
# part of ``qu``): the old style marks the first vowel (``hòa``, ``khỏe``, ``thủy``, ``Ủy``),
# the new style the main vowel (``hoà``, ``khoẻ``, ``thuỷ``, ``Uỷ``). Everywhere else both
# agree: ``hoàng``, ``toán``, ``huýt`` (a final consonant), ``khoái``, ``ngoáy``, ``khuỷu``
# (three vowels), ``của``, ``mùa`` (``ua``), ``thuế``, ``thuở`` (``uê``/``uơ``), ``quý``,
# ``quả``, ``già`` (``qu``/``gi`` are consonants). Keys use the new style: it is the one
# rule without an exception (the tone on the main vowel, as closed syllables already have it).
_VN_VOWELS = "".join(chr(c) for c in range(0xC0, 0x1F00) if unicodedata.category(chr(c)).startswith("L")
                     and unicodedata.normalize("NFD", chr(c))[0] in "aeiouyAEIOUY")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_TONED_MEDIAL = {unicodedata.normalize("NFC", base + mark): (base, mark) for base in "oOuU" for mark in _TONE_MARKS}
_TONED_O = "".join(c for c, (b, _) in _TONED_MEDIAL.items() if b in "oO")
_TONED_U = "".join(c for c, (b, _) in _TONED_MEDIAL.items() if b in "uU")
# the medial starts the vowel cluster (no vowel, ``q`` or stray mark before it) and the
# cluster ends the word (no letter or mark after it)
_OLD_STYLE = re.compile(rf"(?<![{_VN_VOWELS}qQ\u0300-\u036f])([{_TONED_O}](?=[aeAE])|[{_TONED_U}](?=[yY]))"
                        r"([aeyAEY])(?![^\W\d_]|[\u0300-\u036f])")


def _new_style(m: re.Match[str]) -> str:
    base, mark = _TONED_MEDIAL[m[1]]
    return base + unicodedata.normalize("NFC", m[2] + mark)


def canonical_tones(value: str) -> str:
    """``value`` (NFC or NFD) in NFC with every tone mark where the new style puts it:
    ``Đặng Thu Hòa`` -> ``Đặng Thu Hoà``, ``THỦY`` -> ``THUỶ``. Only for keys (identity,
    order): what the officer typed is stored and shown as typed."""
    if value.isascii():
        return value
    return _OLD_STYLE.sub(_new_style, unicodedata.normalize("NFC", value))


def name(value: object) -> str | None:
    """A person's or a unit's name as stored: :func:`clean_text`."""
    return clean_text(value)


@_pure
def name_key(value: object) -> str:
    """Exact identity of a name: canonical, case-insensitive, every diacritic kept
    (``Đặng Thu Hòa`` and ``Đặng Thu Hoa`` are two people), the tone mark placed by one
    convention (``Đặng Thu Hòa`` and ``Đặng Thu Hoà`` are one name, see :func:`canonical_tones`)."""
    return canonical_tones(clean_text(value) or "").casefold()


@_pure
def loose_name_key(value: object) -> str:
    """Name without diacritics: only to *suggest* a possible duplicate, never to match."""
    return fold(clean_text(value))


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


@_pure
def vn_sort_key(full_name: object) -> str:
    """Sort key for Vietnamese names: given name first, then the rest, in the Vietnamese
    alphabet (``Ân`` after ``An``, ``Đức`` after ``Dũng``). Precomputed and indexed,
    because MongoDB's ``vi`` collation is not available in the in-process store. The tone
    mark's placement does not change the order (``Hòa`` and ``Hoà`` sort as one)."""
    words = canonical_tones(text(full_name) or "").split(" ")
    ordered = words[-1:] + words[:-1]
    parts = []
    for word in ordered:
        keys = [_letter_key(c) for c in word]
        parts.append("".join(k for k, _ in keys) + "".join(str(t) for _, t in keys))
    return " ".join(parts)


_PHONE_JUNK = re.compile(r"[\s.\-()/]")


@_pure
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


@_pure
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


@_pure
def url(value: object) -> str | None:
    """A web address; gains ``https://`` when the scheme is missing; host lower-cased."""
    s = text(value)
    if s is None:
        return None
    s = s.replace(" ", "")
    if _CLEAN_URL.match(s) and len(s.partition("//")[2].split("/", 1)[0].split("?", 1)[0]) <= 253:
        return s  # already canonical: _parse_url would return it unchanged (tested)
    if "://" not in s and not s.startswith("//"):  # ``facebook.com/an``: canonical once it has https://
        full = "https://" + s
        if _CLEAN_URL.match(full) and len(s.split("/", 1)[0].split("?", 1)[0]) <= 253:
            return full
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


@_pure
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


@_pure
def url_key(value: object) -> str | None:
    """Comparable form of an address, for uniqueness and owner look-up:
    no scheme, no ``www.``/mobile host, no tracking parameters, no trailing slash,
    lower-case host and path (``fb.com/NguyenVanA/?fbclid=x`` -> ``facebook.com/nguyenvana``).
    """
    u = url(value)
    if u is None:
        return None
    netloc, slash, path = u.partition("://")[2].partition("/")
    if not any(c in u for c in "?#") and not any(c in netloc for c in ":@[]"):
        host = netloc.lower()  # ``https://host/path``: what urlsplit would find (tested)
        host = host[4:] if host.startswith("www.") else host
        return _HOST_ALIASES.get(host, host) + (slash + path).rstrip("/").lower()
    return _key_of_parsed(u)


def address_key(value: object) -> str | None:
    """The key an address is compared and kept unique on: :func:`url_key`, or the folded
    text of a value that is no valid address (kept as typed by a legacy record)."""
    if value in (None, ""):
        return None
    try:
        return url_key(value)
    except NormalizeError:
        return fold(value)


def _key_of_parsed(u: str) -> str:
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
