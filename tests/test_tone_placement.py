"""Ensure that a name is one name whichever convention placed its tone mark (``Đặng Thu Hòa``
and ``Đặng Thu Hoà``), while names that differ by any diacritic stay different people: in
the identity key, the sort key, forms 1 and 2, the roster, and stored keys after an upgrade."""

from __future__ import annotations

import datetime as dt
import pathlib
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import imports
from imports import roster
from models import HandbookProposal, Member, SocialAccount, handbook, normalize
from services import integrity
from tests import factories
from tests.fixtures.office import SheetSpec, build
from tests.test_import_reading import social_row
from tests.test_roster_import import book, row

WORDS = [w for w in (pathlib.Path(__file__).parent / "fixtures" / "vi_words.txt").read_text("utf-8").splitlines()
         if w and not w.startswith("#")]
NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

# (old style, new style): an open syllable ending in oa, oe or uy
PAIRS = [
    ("hòa", "hoà"), ("Hòa", "Hoà"), ("HÒA", "HOÀ"), ("HÒa", "HOà"), ("thủy", "thuỷ"), ("Thúy", "Thuý"),
    ("THÚY", "THUÝ"), ("khỏe", "khoẻ"), ("KHỎE", "KHOẺ"), ("Hòe", "Hoè"), ("xóa", "xoá"), ("tọa", "toạ"),
    ("lõa", "loã"), ("Ủy", "Uỷ"), ("ủy", "uỷ"), ("ngụy", "nguỵ"), ("Lũy", "Luỹ"), ("Tùy", "Tuỳ"), ("Òa", "Oà"),
    ("xòe", "xoè"), ("Thụy", "Thuỵ"), ("hóa", "hoá"),
]
# both conventions agree: a final consonant or vowel, qu/gi, ua/uê/uơ, a mark on the main vowel
UNCHANGED = [
    "Hoàng", "hoàn", "toán", "Hoạch", "huýt", "loét", "Huỳnh", "khoái", "ngoáy", "ngoẹo", "khuỷu", "của", "mùa",
    "Lụa", "thuế", "Huệ", "thuở", "quý", "Quỳnh", "quả", "Quế", "già", "giữ", "Hoa", "Khoa", "Uyên", "Nguyễn",
    "Thuyết", "Hoằng", "Tuấn", "mía", "Zoé", "Chloé", "qùy", "QUÝ", "HOÀNG", "Nguyen Van Hoa",
]


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_old_style_becomes_new_style_from_nfc_and_nfd(old, new) -> None:
    """Ensure that every old-style spelling, in either Unicode form and any case, becomes the
    new-style NFC spelling, and that the new style is already canonical."""
    for given_ in (old, NFD(old), new, NFD(new)):
        assert normalize.canonical_tones(given_) == new
        assert unicodedata.is_normalized("NFC", normalize.canonical_tones(given_))


@pytest.mark.parametrize("word", UNCHANGED)
def test_words_both_conventions_agree_on_are_not_touched(word) -> None:
    assert normalize.canonical_tones(word) == word
    assert normalize.canonical_tones(NFD(word)) == word


def test_words_inside_text_and_word_boundaries() -> None:
    """Ensure that each word is judged alone, with punctuation, hyphens and digits as
    boundaries, and that letters after the cluster keep it closed."""
    assert normalize.canonical_tones("Ủy ban nhân dân xã An Hòa") == "Uỷ ban nhân dân xã An Hoà"
    assert normalize.canonical_tones("(Thủy), Hòa-Bình, tòa2") == "(Thuỷ), Hoà-Bình, toà2"
    assert normalize.canonical_tones("hòang khủyu") == "hòang khủyu"  # misspellings, not a convention


def test_real_word_list_only_the_three_clusters_move() -> None:
    """Ensure that on the words of the source documents only the old-style oa/oe/uy words
    change (the documents mix both conventions), and nothing changes without diacritics."""
    changed = {w: normalize.canonical_tones(w) for w in WORDS if normalize.canonical_tones(w) != w}
    assert changed == {"tùy": "tuỳ", "xóa": "xoá", "ủy": "uỷ", "Ủy": "Uỷ", "ỦY": "UỶ"}
    assert "uỷ" in WORDS  # the new style is in the same documents
    for w in WORDS:
        assert normalize.fold(normalize.canonical_tones(w)) == normalize.fold(w)


def test_name_key_matches_both_conventions_and_keeps_every_diacritic() -> None:
    same = ["Đặng Thu Hòa", "Đặng Thu Hoà", "ĐẶNG THU HOÀ", NFD("Đặng Thu Hòa"), "Ðặng  Thu\u200b Hòa"]
    assert len({normalize.name_key(n) for n in same}) == 1
    for a, b in [("Đặng Thu Hòa", "Đặng Thu Hoa"), ("Bùi Kim Hạ", "Bùi Kim Hà"), ("Lê Thủy", "Lê Thùy"),
                 ("Lê Thủy", "Lê Thuy"), ("Hóa", "Hòa"), ("Thúy", "Thủy"), ("Ủy", "Úy")]:
        assert normalize.name_key(a) != normalize.name_key(b)
        assert normalize.loose_name_key(a) == normalize.loose_name_key(b)  # still a possible duplicate


def test_stored_and_displayed_names_keep_what_was_typed() -> None:
    assert normalize.name("Đặng Thu Hòa") == "Đặng Thu Hòa"
    assert normalize.name("Đặng Thu Hoà") == "Đặng Thu Hoà"
    assert normalize.text("Lê Thủy") == "Lê Thủy"


def test_placement_does_not_change_the_order() -> None:
    """Ensure that both spellings sort as one, in the Vietnamese tone order
    (ngang, huyền, hỏi, ngã, sắc, nặng): without it ``Hòa`` sorted after ``Hoá``."""
    assert normalize.vn_sort_key("Đặng Thu Hòa") == normalize.vn_sort_key("Đặng Thu Hoà")
    names = ["Lê Hoạ", "Lê Hóa", "Lê Hòa", "Lê Hoa", "Lê Hoả", "Lê Hoá", "Lê Hoà"]
    ordered = sorted(names, key=normalize.vn_sort_key)
    assert ordered[:1] == ["Lê Hoa"] and set(ordered[1:3]) == {"Lê Hòa", "Lê Hoà"}
    assert ordered[3:4] == ["Lê Hoả"] and set(ordered[4:6]) == {"Lê Hóa", "Lê Hoá"} and ordered[6:] == ["Lê Hoạ"]


# --- properties -------------------------------------------------------------------------------

TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
INITIALS = ["", "b", "ch", "đ", "g", "gi", "h", "kh", "l", "ng", "nh", "qu", "th", "tr", "x", "Đ", "H", "TH"]
RHYMES = ["a", "an", "anh", "ai", "ao", "ay", "ăn", "âm", "e", "ên", "êu", "i", "ia", "iêu", "iên", "o", "oa", "oan",
          "oang", "oai", "oay", "oe", "oen", "oeo", "ô", "ôi", "ơ", "ơi", "u", "ua", "uân", "uê", "uơ", "uy", "uya",
          "uyên", "uyu", "uynh", "uôi", "uông", "ưa", "ươi", "ương", "y", "yên", "OA", "UY", "OE"]
_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯYO")


def spell(initial: str, rhyme: str, tone: str, old_style: bool) -> str:
    """A syllable with its tone placed by the published rules of one convention."""
    at = [i for i, c in enumerate(rhyme) if c in _VOWELS]
    vowels = rhyme[at[0]:at[-1] + 1]
    closed = at[-1] < len(rhyme) - 1
    marked = [i for i in at if rhyme[i] in "ăâêôơưĂÂÊÔƠƯ"]
    if marked:
        pos = marked[-1]  # ươ: on ơ
    elif closed:
        pos = at[-1]
    elif len(vowels) == 3:
        pos = at[1]
    elif len(vowels) == 2:
        pos = at[1] if vowels.lower() in ("oa", "oe", "uy") and not old_style else at[0]
    else:
        pos = at[0]
    return unicodedata.normalize("NFC", initial + rhyme[:pos + 1] + tone + rhyme[pos + 1:])


def _fits(initial: str, rhyme: str) -> bool:  # qu + u…/o…, gi + i…/oa/oe/uy are not syllables
    return not ((initial == "qu" and rhyme[0] in "uUoO")
                or (initial == "gi" and (rhyme[0] in "iy" or rhyme[:2].lower() in ("oa", "oe", "uy"))))


syllable = st.tuples(st.sampled_from(INITIALS), st.sampled_from(RHYMES), st.sampled_from(TONES)).filter(
    lambda s: _fits(s[0], s[1]))
names = st.lists(syllable, min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(names, st.lists(st.booleans(), min_size=4, max_size=4), st.lists(st.booleans(), min_size=4, max_size=4))
def test_property_one_name_in_any_mix_of_conventions(parts, style_a, style_b) -> None:
    """Ensure that a name spelt with each syllable in either convention has one identity and
    one sort key, and that the canonical form is the new style."""
    a = " ".join(spell(i, r, t, o) for (i, r, t), o in zip(parts, style_a, strict=False))
    b = " ".join(spell(i, r, t, o) for (i, r, t), o in zip(parts, style_b, strict=False))
    new = " ".join(spell(i, r, t, False) for i, r, t in parts)
    assert normalize.canonical_tones(a) == new and normalize.canonical_tones(NFD(b)) == new
    assert normalize.name_key(a) == normalize.name_key(b)
    assert normalize.vn_sort_key(a) == normalize.vn_sort_key(b)


@settings(max_examples=300, deadline=None)
@given(names, st.data())
def test_property_a_different_tone_is_a_different_name(parts, data) -> None:
    """Ensure that changing the tone (or removing it) of one syllable changes the identity,
    whatever the conventions of both spellings."""
    k = data.draw(st.integers(0, len(parts) - 1))
    other_tone = data.draw(st.sampled_from([t for t in TONES if t != parts[k][2]]))
    changed = [*parts[:k], (parts[k][0], parts[k][1], other_tone), *parts[k + 1:]]
    a = " ".join(spell(i, r, t, data.draw(st.booleans())) for i, r, t in parts)
    b = " ".join(spell(i, r, t, data.draw(st.booleans())) for i, r, t in changed)
    assert normalize.name_key(a) != normalize.name_key(b)
    assert normalize.loose_name_key(a) == normalize.loose_name_key(b)


text = st.text(st.sampled_from(list("oOuUaAeEyYqQgihn -,.2") + list("òÓỏÕọÙúỦũụàéỳ") + TONES[1:] + ["\u0302", "\u031b"]),
               max_size=24)


@settings(max_examples=500, deadline=None)
@given(text)
def test_property_idempotent_and_fold_preserving(s) -> None:
    """Ensure that on any text (stray marks included) the canonical form is stable, NFC, and
    moves marks only: the accent-free fold and the length in NFC are unchanged."""
    once = normalize.canonical_tones(s)
    assert normalize.canonical_tones(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert normalize.fold(once) == normalize.fold(s)
    assert len(once) == len(unicodedata.normalize("NFC", s))


# --- imports ----------------------------------------------------------------------------------

def test_form_import_matches_the_existing_member_in_the_other_convention(world) -> None:
    """Ensure that a workbook naming ``Đặng Thu Hoà`` (new style) updates the account of the
    existing member ``Đặng Thu Hòa`` and adds one to her: no person created, no possible
    duplicate, her name as stored."""
    hoa = factories.member(world.cell_a, "Đặng Thu Hòa")
    thuy = factories.member(world.cell_a, "Lê Thuỷ")
    factories.account(hoa, "https://www.facebook.com/dang.thu.hoa", purpose="Cá nhân")
    rows = [social_row(c3="Đặng Thu Hoà", c7="https://www.facebook.com/dang.thu.hoa", c8="", c12="Tuyên truyền"),
            social_row(c3="ĐẶNG THU HOÀ", c7="https://www.facebook.com/hoa.moi", c8=""),
            social_row(c3=NFD("Lê Thủy"), c7="https://www.facebook.com/le.thuy", c8="")]
    data = build([SheetSpec("DS", rows)])
    people = Member.objects.count()
    preview = imports.run(data, "social", world.commune_a, dry_run=True)
    assert (preview.errors, preview.candidates, preview.people_created) == ([], [], 0)
    assert (preview.created, preview.updated) == (2, 1)
    done = imports.run(data, "social", world.commune_a, dry_run=False)
    assert (done.errors, done.created, done.updated, done.people_created) == ([], 2, 1, 0)
    assert Member.objects.count() == people
    assert SocialAccount.objects(url_key="facebook.com/dang.thu.hoa").get().purpose == "Tuyên truyền"
    assert SocialAccount.objects(url_key="facebook.com/hoa.moi").get().member == hoa
    assert SocialAccount.objects(url_key="facebook.com/le.thuy").get().member == thuy
    assert Member.objects.get(pk=hoa.pk).full_name == "Đặng Thu Hòa"


def test_form_import_still_offers_a_different_tone_as_a_possible_duplicate(world) -> None:
    factories.member(world.cell_a, "Đặng Thu Hòa")
    data = build([SheetSpec("DS", [social_row(c3="Đặng Thu Hoá", c7="https://www.facebook.com/hoa.sac", c8="")])])
    preview = imports.run(data, "social", world.commune_a, dry_run=True)
    assert [c.person.name for c in preview.candidates] == ["Đặng Thu Hoá"]


def test_roster_matches_both_conventions_and_keeps_the_stored_spelling(world) -> None:
    """Ensure that the roster's natural key (name + birth date + cell) ignores the placement,
    that a placement-only difference is not an update, and that a different diacritic is
    not silently the same person (the roster matched names without diacritics and renamed
    her) nor silently someone new: the row is refused with the reason."""
    hoa = factories.member(world.cell_a, "Đặng Thu Hòa", date_of_birth=dt.date(1990, 3, 2), gender="nu",
                           phone="0912000111", position="Đảng viên", admission_date=dt.date(2015, 6, 5),
                           official_date=dt.date(2016, 6, 5))
    same = row(name="Đặng Thu Hoà", gender="Nữ")
    summary = roster.run(book([same]), world.commune_a, dry_run=False)
    assert (summary.errors, summary.created, summary.updated, summary.unchanged) == ([], 0, 0, 1)
    changed = roster.run(book([row(name="ĐẶNG THU HOÀ", gender="Nữ", phone="0912000222")]), world.commune_a,
                         dry_run=True)
    assert (changed.created, changed.updated) == (0, 1)
    assert set(changed.actions[0].changes) == {"full_name", "phone"}  # capitals are a change, placement is not
    people = Member.objects.count()
    other = roster.run(book([row(name="Đặng Thu Hoa", gender="Nữ")]), world.commune_a, dry_run=False)
    assert (other.created, other.updated, other.unchanged) == (0, 0, 0)
    assert [(e["row"], e["column"]) for e in other.errors] == [(4, "(2)")]
    assert "“Đặng Thu Hòa” – Chi bộ thôn 1 (cùng ngày sinh, họ tên chỉ khác dấu)" in other.errors[0]["message"]
    assert Member.objects.count() == people and Member.objects.get(pk=hoa.pk).full_name == "Đặng Thu Hòa"
    born_later = roster.run(book([row(name="Đặng Thu Hoa", gender="Nữ", born="02/03/1991", phone="")]), world.commune_a,
                            dry_run=False)
    assert (born_later.errors, born_later.created) == ([], 1)


# --- stored keys after the upgrade ------------------------------------------------------------

def _old_sort_key(full_name: str) -> str:
    """``vn_sort_key`` as computed before tone placement was canonical."""
    words = (normalize.text(full_name) or "").split(" ")
    parts = []
    for word in words[-1:] + words[:-1]:
        keys = [normalize._letter_key(c) for c in word]
        parts.append("".join(k for k, _ in keys) + "".join(str(t) for _, t in keys))
    return " ".join(parts)


def test_check_repair_recomputes_stored_sort_keys(world, runner) -> None:
    """Ensure that keys stored before the upgrade are reported by ``flask check`` and
    recomputed by ``--repair`` for members, their sites and accounts and handbook proposals,
    after which ``Hòa`` sorts between ``Hoa`` and ``Hoá``."""
    names = ["Lê Hoá", "Lê Hòa", "Lê Hoa"]
    people = [factories.member(world.cell_a, n) for n in names]
    account = factories.account(people[1], "https://www.facebook.com/le.hoa.cu")
    proposal = handbook.propose(people[1], "create", "admission", "Kết nạp")
    old = _old_sort_key("Lê Hòa")
    assert old != normalize.vn_sort_key("Lê Hòa")
    Member.objects(pk=people[1].pk).update(set__sort_key=old)
    SocialAccount.objects(pk=account.pk).update(set__member_sort_key=old)
    HandbookProposal.objects(pk=proposal.pk).update(set__member_sort_key=old)
    stale = [m.full_name for m in Member.objects(organisation=world.cell_a, full_name__in=names).order_by("sort_key")]
    assert stale == ["Lê Hoa", "Lê Hoá", "Lê Hòa"]  # the bug: huyền after sắc
    report = integrity.check()
    assert len([p for p in report.problems if "khóa sắp xếp" in p]) == 3
    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 0, result.output
    assert "tính lại khóa sắp xếp theo tên của 1 bản ghi" in result.output
    assert "Sau khi sửa: không còn sai lệch." in result.output
    fixed = [m.full_name for m in Member.objects(organisation=world.cell_a, full_name__in=names).order_by("sort_key")]
    assert fixed == ["Lê Hoa", "Lê Hòa", "Lê Hoá"]
    want = normalize.vn_sort_key("Lê Hoà")
    assert SocialAccount.objects.get(pk=account.pk).member_sort_key == want
    assert HandbookProposal.objects.get(pk=proposal.pk).member_sort_key == want
    assert integrity.check().clean
