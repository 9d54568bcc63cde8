"""Legacy 8-bit Vietnamese (TCVN3, VNI), names, and the canonical platform list."""

from __future__ import annotations

import pathlib

import pytest

from models import normalize, platforms, vn_legacy
from models.accounts import SocialAccount, migrate_platforms
from tests import factories

HERE = pathlib.Path(__file__).parent / "fixtures"


def _words(name: str) -> list[str]:
    return [w for w in (HERE / name).read_text(encoding="utf-8").splitlines() if w and not w.startswith("#")]


VI = _words("vi_words.txt")
LATIN1 = _words("latin1_words.txt")
SEEDS = [line for line in (HERE / "vi_lines.txt").read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize(("legacy", "unicode"), [
    ("Vò §×nh An", "Vũ Đình An"), ("BÝ th­ chi bé", "Bí thư chi bộ"), ("Vuõ Ñình An", "Vũ Đình An"),
    ("Nguyeãn Vaên An", "Nguyễn Văn An"), ("§¶ng bé x· An Hßa", "Đảng bộ xã An Hòa"),
])
def test_examples_from_the_field_are_detected_and_converted(legacy, unicode) -> None:
    """Ensure that the strings officers actually paste are recognised and converted."""
    encoding = vn_legacy.detect(legacy)
    assert encoding is not None
    assert vn_legacy.decode(legacy, encoding) == unicode
    assert normalize.legacy_encoding(legacy) == encoding


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_encoder_and_decoder_round_trip_every_vietnamese_letter(encoding) -> None:
    """Ensure that the encoder written from the published tables and the decoder agree on
    all 134 lower- and upper-case Vietnamese letters."""
    letters = [c for c in "aăâeêioôơuưyđ"] + [normalize.unicodedata.normalize("NFC", b + t)
                                               for b in "aăâeêioôơuưy" for t in "\u0300\u0301\u0303\u0309\u0323"]
    for letter in letters:
        for ch in {letter, letter.upper()}:
            out = vn_legacy.decode(vn_legacy.encode(ch, encoding), encoding)
            expected = ch.lower() if encoding == "tcvn3" and ch.isupper() and not ch.isascii() and ch not in "ĂÂÊÔƠƯĐ" else ch
            assert out == expected, (ch, out)


def test_genuine_words_never_detected() -> None:
    """Ensure that no Vietnamese word of the source documents and no accented French,
    German, Spanish, Italian or Portuguese word is taken for legacy text."""
    assert [w for w in VI if vn_legacy.detect(w)] == []
    assert [w for w in LATIN1 if vn_legacy.detect(w)] == []
    assert [line for line in SEEDS if vn_legacy.detect(line)] == []
    latin = vn_legacy.FileEncoding()
    for word in LATIN1:
        latin.observe(word)
    assert latin.encoding is None


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_whole_documents_encoded_are_detected_and_restored(encoding) -> None:
    """Ensure that every line of the source documents, encoded, is recognised at file level
    and converted back exactly (TCVN3 has no toned capitals: compared case-insensitively)."""
    file = vn_legacy.FileEncoding()
    legacy = [vn_legacy.encode(line, encoding) for line in SEEDS]
    for line in legacy:
        file.observe(line)
    assert file.encoding == encoding
    restored = [file.convert(line)[0] for line in legacy]
    if encoding == "tcvn3":
        assert [r.lower() for r in restored] == [s.lower() for s in SEEDS]
    else:
        assert restored == SEEDS


def test_names_canonical_invisible_and_lookalikes() -> None:
    """Ensure that zero-width characters and look-alike letters are removed/folded, while
    names that differ by a diacritic keep different keys."""
    assert normalize.name("Ð\u200bặng  Thu\u00a0Hòa\ufeff") == "Đặng Thu Hòa"
    assert normalize.name("Nguyễn Vаn Аn") == "Nguyễn Van An"  # Cyrillic а and А
    assert normalize.name_key("ĐẶNG THU HÒA") == normalize.name_key("Ðặng Thu Hòa")
    assert normalize.name_key("Đặng Thu Hoa") != normalize.name_key("Đặng Thu Hòa")
    assert normalize.name_key("Bùi Kim Hạ") != normalize.name_key("Bùi Kim Hà")
    assert normalize.loose_name_key("Bùi Kim Hạ") == normalize.loose_name_key("Bùi Kim Hà")


@pytest.mark.parametrize(("typed", "canonical"), [
    ("Face", "Facebook"), ("Facebook cá nhân", "Facebook"), ("Fanpage", "Facebook"), ("FB", "Facebook"),
    ("Zalo cá nhân", "Zalo"), ("Tiktok", "TikTok"), ("tik tok", "TikTok"), ("Youtube", "YouTube"),
    ("Twitter", "X (Twitter)"), ("X", "X (Twitter)"), ("threads", "Threads"), ("khác", "Khác"),
])
def test_platform_synonyms(typed, canonical) -> None:
    """Ensure that what officers type lands on the canonical platform list."""
    assert platforms.platform(typed) == canonical


def test_unknown_platform_is_an_error_naming_the_list() -> None:
    with pytest.raises(normalize.NormalizeError, match="TikTok, YouTube"):
        platforms.platform("Viber")


def test_handles_become_profiles_only_for_a_known_platform() -> None:
    """Ensure that ``@handle`` and a Zalo phone number become addresses only on a known platform."""
    assert platforms.profile_url("@an.nguyen", "TikTok") == "https://www.tiktok.com/@an.nguyen"
    assert platforms.profile_url("@annguyen", "Facebook") == "https://www.facebook.com/annguyen"
    assert platforms.profile_url("0912 345 678", "Zalo") == "https://zalo.me/0912345678"
    assert platforms.profile_url("@an", None) is None and platforms.profile_url("@an", "Khác") is None
    assert platforms.is_bare_host("www.facebook.com") and not platforms.is_bare_host("facebook.com/an")


def test_platform_must_agree_with_the_address(world) -> None:
    """Ensure that the model refuses a platform that contradicts the URL's host, a bare
    platform host, and a future establishment date."""
    import datetime as dt

    from mongoengine import ValidationError

    with pytest.raises(ValidationError, match="không khớp"):
        factories.account(world.member_a, "https://www.tiktok.com/@an", platform="Facebook")
    with pytest.raises(ValidationError, match="chỉ có tên miền"):
        factories.account(world.member_a, "https://www.facebook.com/")
    with pytest.raises(ValidationError, match="sau ngày hôm nay"):
        factories.account(world.member_a, "https://www.facebook.com/an.sau", established_on=dt.date(2999, 1, 1))


def test_migration_rewrites_stored_spellings(world) -> None:
    """Ensure that stored ``Tiktok``/``Youtube``/``Face`` become canonical, and that a record
    whose canonical twin exists is left alone and reported."""
    coll = SocialAccount._get_collection()
    tik = factories.account(world.member_a, "https://www.tiktok.com/@an.mig", platform="TikTok")
    yt = factories.account(world.member_a, "https://www.youtube.com/@an.mig", platform="YouTube")
    twin = factories.account(world.member_a, "https://www.youtube.com/@an.twin", platform="YouTube")
    coll.update_one({"_id": tik.pk}, {"$set": {"platform": "Tiktok"}})
    coll.update_one({"_id": yt.pk}, {"$set": {"platform": "Youtube"}})
    dup = twin.to_mongo().to_dict()
    dup.pop("_id")
    dup["platform"] = "Youtube"
    dup_id = coll.insert_one(dup).inserted_id
    counts = migrate_platforms()
    assert counts == {"updated": 2, "conflicts": 1, "unknown": 0}
    assert coll.find_one({"_id": tik.pk})["platform"] == "TikTok"
    assert coll.find_one({"_id": yt.pk})["platform"] == "YouTube"
    assert coll.find_one({"_id": dup_id})["platform"] == "Youtube"


def test_migration_command(world, runner) -> None:
    """Ensure that ``flask forms migrate-platforms`` rewrites stored spellings and says how many."""
    coll = SocialAccount._get_collection()
    coll.update_one({"_id": world.account_a.pk}, {"$set": {"platform": "Face"}})
    out = runner.invoke(args=["forms", "migrate-platforms"])
    assert out.exit_code == 0 and "Đã chuẩn hóa 1 bản ghi" in out.output
    assert coll.find_one({"_id": world.account_a.pk})["platform"] == "Facebook"


def test_web_form_warns_on_pasted_legacy_text(admin_client, world) -> None:
    """Ensure that a name pasted from a .VnTime list is flagged on the screen, with its
    Unicode reading, while genuine Vietnamese raises no warning."""
    from tests.test_screens import _post

    r = _post(admin_client, "/admin/member/new/", {"full_name": "Vò §×nh An", "organisation": str(world.cell_a.pk),
                                                    "position": "Đảng viên", "status": "active"})
    assert r.status_code == 302
    page = admin_client.get(r.headers["Location"]).get_data(as_text=True)
    assert "phông cũ TCVN3" in page and "Vũ Đình An" in page
    r = _post(admin_client, "/admin/member/new/", {"full_name": "Lê Thị Hà", "organisation": str(world.cell_a.pk),
                                                    "position": "Đảng viên", "status": "active"})
    assert "phông cũ" not in admin_client.get(r.headers["Location"]).get_data(as_text=True)
