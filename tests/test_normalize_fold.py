"""``normalize.fold`` is one ``str.translate`` for speed: it must equal the definition
(NFD, every ``Mn`` mark dropped, ``đ`` -> ``d``, lower case, spaces collapsed) on any text."""

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from models import normalize

_SPACES = re.compile(r"\s+")


def reference(value: object) -> str:
    s = normalize.text(value) or ""
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", s.lower()).strip()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FFFF, blacklist_categories=("Cs",))))
def test_fold_equals_its_definition_on_any_text(value):
    assert normalize.fold(value) == reference(value)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aăâeêioôơuưyAĂÂEÊIOÔƠUƯYđĐÐ \t\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b\u0307İ"))
def test_fold_equals_its_definition_on_vietnamese_letters_and_marks(value):
    assert normalize.fold(value) == reference(value)


def test_fold_examples():
    assert normalize.fold("  ĐẶNG   Thu Hòa ") == "dang thu hoa"
    assert normalize.fold("Nguye\u0302\u0303n") == "nguyen"  # decomposed input
    assert normalize.fold(None) == ""


_URL_CHARS = "abcAB.-/:?=&#@%_~ 0123456789" + "đ"


_LABEL = st.text(alphabet="abcxyzAB019-", min_size=1, max_size=6)
_HOST = st.builds(lambda labels, tld: ".".join(labels) + "." + tld, st.lists(_LABEL, min_size=1, max_size=3),
                  st.text(alphabet="abczD0-", min_size=1, max_size=4))
_TAIL = st.one_of(st.text(alphabet=_URL_CHARS, max_size=30),
                  st.builds(lambda h, rest: h + rest, _HOST, st.text(alphabet="/?=&#@%_~.:aB0 -", max_size=15)))


@settings(max_examples=800, deadline=None)
@given(_TAIL, st.sampled_from(["", "https://", "HTTP://", "//", "www.", "http://"]))
def test_url_fast_paths_give_what_the_parser_gives(tail, head):
    """``normalize.url`` returns canonical addresses without parsing them: the result (or
    the refusal) must be the full parser's."""
    value = head + tail
    squeezed = (normalize.text(value) or "").replace(" ", "")
    try:
        expected = normalize._parse_url(squeezed) if squeezed else None
    except normalize.NormalizeError as exc:
        expected = exc.__class__
    try:
        got = normalize.url.__wrapped__(value)
    except normalize.NormalizeError as exc:
        got = exc.__class__
    assert got == expected


@settings(max_examples=800, deadline=None)
@given(_TAIL, st.sampled_from(["", "https://", "HTTP://", "//", "www.", "http://", "https://www.", "fb.com/"]))
def test_url_key_fast_path_gives_what_urlsplit_gives(tail, head):
    value = head + tail
    try:
        canonical = normalize.url(value)
    except normalize.NormalizeError:
        return
    if canonical is None:
        return
    assert normalize.url_key.__wrapped__(value) == normalize._key_of_parsed(canonical)
