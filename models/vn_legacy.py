"""Vietnamese text typed in the legacy 8-bit fonts (TCVN3/ABC ``.VnTime``, VNI-Times),
as it arrives once pasted into a Unicode workbook, and its conversion to Unicode NFC.

Tables: TCVN 5712:1993 (the ABC/TCVN3 code page) and the VNI Windows code page, as
published with the fonts. TCVN3 has one byte per precomposed lower-case letter (its
capitals live in a separate ``.VnTimeH`` font, so converted text is lower case where the
font was the only capital); VNI writes a base letter followed by one or two mark bytes.

Detection is by evidence, word by word: a word counts for an encoding when it is not a
Vietnamese syllable as typed but becomes one once converted (``§×nh`` -> ``Đình``), and
against it when a valid Vietnamese word would be broken by converting it. Text holding
any character beyond Latin-1 (real Unicode Vietnamese) is never converted. So genuine
Vietnamese, English and French text is left alone (tested on word lists both ways).
"""

from __future__ import annotations

import re
import unicodedata

# TCVN3: Unicode letter -> the Latin-1 character its byte shows as.
TCVN3 = {
    "ă": "¨", "â": "©", "ê": "ª", "ô": "«", "ơ": "¬", "ư": "\xad", "đ": "®",
    "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§",
    "à": "µ", "ả": "¶", "ã": "·", "á": "¸", "ạ": "¹",
    "ằ": "»", "ẳ": "¼", "ẵ": "½", "ắ": "¾", "ặ": "Æ",
    "ầ": "Ç", "ẩ": "È", "ẫ": "É", "ấ": "Ê", "ậ": "Ë",
    "è": "Ì", "ẻ": "Î", "ẽ": "Ï", "é": "Ð", "ẹ": "Ñ",
    "ề": "Ò", "ể": "Ó", "ễ": "Ô", "ế": "Õ", "ệ": "Ö",
    "ì": "×", "ỉ": "Ø", "ĩ": "Ü", "í": "Ý", "ị": "Þ",
    "ò": "ß", "ỏ": "á", "õ": "â", "ó": "ã", "ọ": "ä",
    "ồ": "å", "ổ": "æ", "ỗ": "ç", "ố": "è", "ộ": "é",
    "ờ": "ê", "ở": "ë", "ỡ": "ì", "ớ": "í", "ợ": "î",
    "ù": "ï", "ủ": "ñ", "ũ": "ò", "ú": "ó", "ụ": "ô",
    "ừ": "õ", "ử": "ö", "ữ": "÷", "ứ": "ø", "ự": "ù",
    "ỳ": "ú", "ỷ": "û", "ỹ": "ü", "ý": "ý", "ỵ": "þ",
}

# VNI: marks typed after the base letter (lower case; capitals use the upper-case glyphs).
_VNI_TONE = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_HAT_TONE = {"\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}  # â ê ô + tone
_VNI_BREVE_TONE = {"\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}  # ă + tone
_VNI_I = {"í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò"}
_TONES = set(_VNI_TONE)


def _vni_letter(ch: str) -> str:
    """One Unicode letter -> its VNI spelling (base letter and mark characters)."""
    if ch in "đĐ":
        return "ñ" if ch == "đ" else "Ñ"
    low = ch.lower()
    upper = ch != low
    if low in _VNI_I:
        out = _VNI_I[low]
        return out.upper() if upper else out
    parts = unicodedata.normalize("NFD", low)
    base, marks = parts[0], parts[1:]
    tone = next((m for m in marks if m in _TONES), None)
    shape = next((m for m in marks if m not in _TONES), None)
    if base not in "aeiouy" or (tone is None and shape is None):
        return ch
    if shape == "\u031b":  # horn: ơ -> "ô", ư -> "ö" as single glyphs
        core = "ô" if base == "o" else "ö"
        mark = _VNI_TONE.get(tone, "") if tone else ""
    elif shape == "\u0302":
        core, mark = base + ("â" if tone is None else _VNI_HAT_TONE[tone]), ""
    elif shape == "\u0306":
        core, mark = base + ("ê" if tone is None else _VNI_BREVE_TONE[tone]), ""
    else:
        core, mark = base, _VNI_TONE[tone]
    out = core + mark
    return out.upper() if upper else out


_LETTERS = sorted({c for c in TCVN3} | {c.upper() for c in TCVN3 if c.upper() != c}
                  | set("aeiouyAEIOUY"))


def encode(text: str, encoding: str) -> str:
    """Unicode -> legacy text as a Unicode workbook would show it (for tests and tools)."""
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        return "".join(TCVN3.get(c) or TCVN3.get(c.lower(), c) for c in text)
    if encoding == "vni":
        return "".join(_vni_letter(c) if not c.isascii() else c for c in text)
    raise ValueError(encoding)


# ---- decoding ---------------------------------------------------------------------------

_TCVN3_DECODE = {v: k for k, v in TCVN3.items()}


def _vni_decode_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for ch in {unicodedata.normalize("NFC", c + m)
               for c in "aeiouyăâêôơư" for m in ("", *_TONES)} | {"đ"}:
        for letter in (ch, ch.upper()):
            spelled = _vni_letter(letter)
            if spelled != letter:
                table[spelled] = letter
    return table


_VNI_DECODE = _vni_decode_table()
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_VNI_DECODE, key=len, reverse=True)))


def _tcvn3_word(match: re.Match) -> str:
    word = match[0]
    out = "".join(_TCVN3_DECODE.get(c, c) for c in word)
    ascii_letters = [c for c in word if c.isascii() and c.isalpha()]
    # A capitals line was typed in the ``.VnTimeH`` font: its bytes are the lower-case ones.
    return out.upper() if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters) else out


def decode(text: str, encoding: str) -> str:
    if encoding == "tcvn3":
        return _WORD.sub(_tcvn3_word, text)
    return _VNI_PATTERN.sub(lambda m: _VNI_DECODE[m[0]], text)


# ---- Vietnamese syllables ------------------------------------------------------------------

_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|r|s|t|v|x)?"
_OPEN = ("iêu|yêu|oai|oay|oeo|uây|uôi|ươi|ươu|uya|uyu|ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|"
         "ưa|ưi|ưu")  # end in a glide: no final consonant
_CLOSED = "iê|yê|uô|ươ|uyê|oo"  # need a final consonant
_ANY = "oa|oă|oe|uâ|uê|uơ|uy|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
_SYLLABLE = re.compile(f"^{_ONSET}(?:(?:{_OPEN})|(?:{_CLOSED})(?:ch|ng|nh|c|m|n|p|t)|(?:{_ANY})(?:ch|ng|nh|c|m|n|p|t)?)$")
_FALLING = {"ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "ưa",
            "ưi", "ưu"}
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_WORD = re.compile(r"[^\s,.;:()\[\]/\-–\"'!?0-9]+")


def is_syllable(word: str) -> bool:
    """A Vietnamese syllable: onset, vowel nucleus, final; one tone at most, placed where
    Vietnamese places it; only the sharp or heavy tone before a final p, t, c, ch."""
    if any(c.isupper() for c in word[1:]) and not word.isupper():
        return False  # ``ChÝnh``: a capital inside a lower-case word is a legacy byte
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    match = _SYLLABLE.match(bare)
    if not match:
        return False
    if tones and bare.endswith(("p", "t", "c", "ch")) and tones[0] not in "\u0301\u0323":
        return False
    vowels = re.sub(_ONSET, "", bare, count=1).rstrip("chngmpt")
    if tones and vowels in _FALLING:
        marked = [unicodedata.normalize("NFD", c) for c in unicodedata.normalize("NFC", word.lower())]
        toned = [i for i, c in enumerate(marked) if any(m in _TONE_MARKS for m in c)]
        first_vowel = len(marked) - len(bare) + (len(bare) - len(re.sub(_ONSET, "", bare, count=1)))
        return bool(toned) and toned[0] == first_vowel
    return True


# What an 8-bit Windows workbook can hold: Latin-1 and the cp1252 punctuation (“ ” – …).
_CP1252 = set(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))


_NOT_8BIT = re.compile("[^\x00-\xff" + re.escape("".join(sorted(_CP1252))) + "]")


def _latin1_only(text: str) -> bool:
    return _NOT_8BIT.search(text) is None


def evidence(text: str, encoding: str) -> int:
    """Words that only make sense converted, minus words that converting would break."""
    score = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        converted = decode(word, encoding)
        if converted == word:
            continue
        before, after = is_syllable(word), is_syllable(converted)
        if after and not before:
            score += 1
        elif before and not after:
            score -= 1
    return score


# Latin-1 characters that are no letter of any Western European language: inside a word
# they are legacy bytes (``§×nh``, ``th\xad``), never French or German.
_STRONG = set("¨©ª«¬\xad®¡¢£¤¥¦§µ¶·¸¹»¼½¾×÷ÐÞþ")


def _strong(text: str) -> bool:
    return any(len(w) >= 3 and _STRONG & set(w) for w in _WORD.findall(text))


def detect(text: str) -> str | None:
    """``"tcvn3"``, ``"vni"`` or None for one cell on its own: two words that only make
    sense converted, or one that holds a byte no Western language uses, and none broken."""
    if not text or text.isascii() or not _latin1_only(text):
        return None
    best, best_score = None, 0
    for encoding in ("tcvn3", "vni"):
        score = evidence(text, encoding)
        if score > best_score:
            best, best_score = encoding, score
    if best is None or (best_score < 2 and not (best == "tcvn3" and _strong(text))):
        return None
    return best


def could_be(text: str, encoding: str) -> bool:
    """Converting would change the text and break no valid word (file-level decision)."""
    return (bool(text) and not text.isascii() and _latin1_only(text)
            and decode(text, encoding) != text and evidence(text, encoding) >= 0)


class FileEncoding:
    """The legacy encoding of a whole file, decided from all its text cells: officers
    paste whole lists, so a cell too short to decide alone (``Vò``) follows the file."""

    def __init__(self) -> None:
        self.score = {"tcvn3": 0, "vni": 0}
        self.cells = {"tcvn3": 0, "vni": 0}

    def observe(self, text: object) -> None:
        if isinstance(text, str) and not text.isascii() and _latin1_only(text):
            for encoding in self.score:
                self.score[encoding] += evidence(text, encoding)
            found = detect(text)
            if found:
                self.cells[found] += 1

    @property
    def encoding(self) -> str | None:
        best = max(self.score, key=lambda e: (self.cells[e], self.score[e]))
        return best if self.cells[best] and self.score[best] >= 2 else None

    def convert(self, text: str) -> tuple[str, str | None]:
        """(text in Unicode NFC, the encoding it was converted from or None)."""
        if not isinstance(text, str) or text.isascii():
            return text, None
        found = detect(text)
        if found is None and self.encoding and could_be(text, self.encoding):
            found = self.encoding
        if found is None:
            return text, None
        return unicodedata.normalize("NFC", decode(text, found)), found


NAMES = {"tcvn3": "TCVN3 (ABC, .VnTime)", "vni": "VNI (VNI-Times)"}
