"""Vietnamese text typed before Unicode: TCVN3 (ABC) and VNI-Windows, found and converted.

Old member lists (.xls, .csv) were typed with 8-bit fonts. Windows stored the bytes under the
Western code page, so the text reaches us as Unicode that reads "NguyÔn V¨n §øc" (TCVN3, font
.VnTime) or "Nguyeãn Vaên Ñöùc" (VNI-Windows, font VNI-Times) instead of "Nguyễn Văn Đức".

Tables. TCVN3 here is level VN3 of TCVN 5712:1993, the one the ABC fonts use: one byte per
letter, the 67 lower-case letters with marks and the capitals Ă Â Ê Ô Ơ Ư Đ in 0xA1–0xFE.
VN3 has no capitals with tone marks: they were typed with the "H" fonts (.VnTimeH), which draw
the lower-case codes as capitals, so "NGUYỄN" is stored as "NGUYÔN". Converting restores the
capital where the rest of the word is in capitals; otherwise the letter stays lower case (a
name is capitalised later by `normalise_name`). The bytes 0x80–0x9F stay the Western
punctuation they are (“ ” – …), as in UniKey's TCVN3 table; the capitals that level VN1 puts
there and in the C0 controls are not used by the ABC fonts and are not decoded.
VNI-Windows writes a base letter followed by one mark byte (a8 = ă …): tones ù ø û õ ï, the
circumflex series â á à å ã ä, the breve series ê é è ú ü ë, with upper-case marks after
capitals; ơ/ư are ô/ö, đ/Đ are ñ/Ñ, i with tones is í ì æ ó ò and ỵ is î. Sources compared
(each agrees with the others on every code used here): glibc iconv TCVN5712-1, the TCVN and
VNI tables of xvnkb (lamdao/xvnkb: tcvn.h, vni.h) and UniKey's vnconv tables
(fcitx/fcitx5-unikey: unikey/data.cpp).

Detection (per cell) prefers precision: converting good Unicode corrupts it, leaving a legacy
cell alone only leaves it as it was. A cell is Unicode when it is ASCII or holds any letter
only Unicode Vietnamese has (ă, đ, ơ, ư, ễ …, or combining marks). Otherwise each word holding
a non-ASCII character is read three ways (as is, as TCVN3, as VNI) and checked against the
shape of a Vietnamese syllable (onset, rhyme, and the rule that syllables ending in p, t, c,
ch carry only the sắc or nặng tone). A legacy reading wins only when it yields more valid
syllables than the Unicode reading and breaks none of the words that read well as Unicode;
"Toàn" or "Lê Thanh Tâm" stay as they are, "Tèt" (not a syllable) becomes "Tốt".
"""

import functools
import re
import unicodedata
from collections.abc import Iterable

UNICODE = "unicode"
TCVN3 = "tcvn3"
VNI = "vni"
ENCODINGS = (UNICODE, TCVN3, VNI)

# --- the letters --------------------------------------------------------------------------

_TONES = {
    "acute": "\u0301",  # sắc
    "grave": "\u0300",  # huyền
    "hook": "\u0309",  # hỏi
    "tilde": "\u0303",  # ngã
    "dot": "\u0323",  # nặng
}
_TONE_ORDER = ("acute", "grave", "hook", "tilde", "dot")
# The twelve vowels and how they are built from an ASCII base.
_VOWELS = {
    "a": "a", "ă": "a\u0306", "â": "a\u0302", "e": "e", "ê": "e\u0302", "i": "i",
    "o": "o", "ô": "o\u0302", "ơ": "o\u031b", "u": "u", "ư": "u\u031b", "y": "y",
}  # fmt: skip


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _compose(vowel: str, tone: str) -> str:
    return _nfc(_VOWELS[vowel] + _TONES[tone])


# Every Vietnamese letter with a mark, lower case: 12 vowels × 5 tones + ă â ê ô ơ ư + đ = 67.
LOWER_LETTERS: tuple[str, ...] = (
    *(_compose(vowel, tone) for vowel in _VOWELS for tone in _TONE_ORDER),
    "ă", "â", "ê", "ô", "ơ", "ư", "đ",
)  # fmt: skip
LETTERS: tuple[str, ...] = (*LOWER_LETTERS, *(letter.upper() for letter in LOWER_LETTERS))

# --- TCVN3 (VN3, ABC fonts) ---------------------------------------------------------------

# Code of each lower-case letter (TCVN 5712:1993; glibc TCVN5712-1, xvnkb, UniKey agree).
_TCVN3_CODES: dict[str, int] = {
    "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "á": 0xB8, "ạ": 0xB9,
    "ă": 0xA8, "ằ": 0xBB, "ẳ": 0xBC, "ẵ": 0xBD, "ắ": 0xBE, "ặ": 0xC6,
    "â": 0xA9, "ầ": 0xC7, "ẩ": 0xC8, "ẫ": 0xC9, "ấ": 0xCA, "ậ": 0xCB,
    "đ": 0xAE,
    "è": 0xCC, "ẻ": 0xCE, "ẽ": 0xCF, "é": 0xD0, "ẹ": 0xD1,
    "ê": 0xAA, "ề": 0xD2, "ể": 0xD3, "ễ": 0xD4, "ế": 0xD5, "ệ": 0xD6,
    "ì": 0xD7, "ỉ": 0xD8, "ĩ": 0xDC, "í": 0xDD, "ị": 0xDE,
    "ò": 0xDF, "ỏ": 0xE1, "õ": 0xE2, "ó": 0xE3, "ọ": 0xE4,
    "ô": 0xAB, "ồ": 0xE5, "ổ": 0xE6, "ỗ": 0xE7, "ố": 0xE8, "ộ": 0xE9,
    "ơ": 0xAC, "ờ": 0xEA, "ở": 0xEB, "ỡ": 0xEC, "ớ": 0xED, "ợ": 0xEE,
    "ù": 0xEF, "ủ": 0xF1, "ũ": 0xF2, "ú": 0xF3, "ụ": 0xF4,
    "ư": 0xAD, "ừ": 0xF5, "ử": 0xF6, "ữ": 0xF7, "ứ": 0xF8, "ự": 0xF9,
    "ỳ": 0xFA, "ỷ": 0xFB, "ỹ": 0xFC, "ý": 0xFD, "ỵ": 0xFE,
    # The only capitals VN3 has.
    "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7,
}  # fmt: skip
# All codes are ≥ 0xA1, where Windows-1252 and Latin-1 agree.
_TCVN3_DECODE: dict[str, str] = {
    bytes([code]).decode("latin-1"): letter for letter, code in _TCVN3_CODES.items()
}
_TCVN3_DECODE_TABLE = str.maketrans(_TCVN3_DECODE)
_TCVN3_ENCODE: dict[str, str] = {letter: char for char, letter in _TCVN3_DECODE.items()}
for _letter in LOWER_LETTERS:
    # Capitals with tones: the lower-case code, as typed with an "H" font.
    _TCVN3_ENCODE.setdefault(_letter.upper(), _TCVN3_ENCODE[_letter])
_TCVN3_ENCODE_TABLE = str.maketrans(_TCVN3_ENCODE)

# --- VNI-Windows -------------------------------------------------------------------------

_VNI_TONE_MARKS = ("ù", "ø", "û", "õ", "ï")  # acute, grave, hook, tilde, dot (lower case)
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")  # bare, then with each tone
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
_VNI_I = ("í", "ì", "æ", "ó", "ò")  # i with each tone, one byte
_VNI_SINGLE = {"ơ": "ô", "ư": "ö", "đ": "ñ", "ỵ": "î"}


def _vni_lower() -> dict[str, str]:
    """Lower-case letter → VNI sequence, for every letter with a mark."""
    table: dict[str, str] = {}
    for base in ("a", "e", "o", "u", "y"):
        for tone, mark in zip(_TONE_ORDER, _VNI_TONE_MARKS, strict=True):
            table[_compose(base, tone)] = base + mark
    for vowel, base in (("â", "a"), ("ê", "e"), ("ô", "o")):
        table[vowel] = base + _VNI_CIRCUMFLEX[0]
        for tone, mark in zip(_TONE_ORDER, _VNI_CIRCUMFLEX[1:], strict=True):
            table[_compose(vowel, tone)] = base + mark
    table["ă"] = "a" + _VNI_BREVE[0]
    for tone, mark in zip(_TONE_ORDER, _VNI_BREVE[1:], strict=True):
        table[_compose("ă", tone)] = "a" + mark
    for vowel, base in (("ơ", "ô"), ("ư", "ö")):
        table[vowel] = base
        for tone, mark in zip(_TONE_ORDER, _VNI_TONE_MARKS, strict=True):
            table[_compose(vowel, tone)] = base + mark
    for tone, char in zip(_TONE_ORDER, _VNI_I, strict=True):
        table[_compose("i", tone)] = char
    table.update(_VNI_SINGLE)  # ỵ is one byte, not y + ï
    return table


_VNI_ENCODE: dict[str, str] = {}
for _letter, _sequence in _vni_lower().items():
    _VNI_ENCODE[_letter] = _sequence
    _VNI_ENCODE[_letter.upper()] = _sequence.upper()
_VNI_ENCODE_TABLE = str.maketrans(_VNI_ENCODE)
# Decoding: the sequences, plus a mark of the other case after a base (the letter takes the
# base's case), longest first.
_VNI_DECODE: dict[str, str] = {}
for _letter, _sequence in _VNI_ENCODE.items():
    _VNI_DECODE[_sequence] = _letter
    if len(_sequence) == 2:
        _VNI_DECODE.setdefault(_sequence[0] + _sequence[1].swapcase(), _letter)
# Found by character classes (a 400-way alternation is several times slower): a vowel and a
# mark, ơ/ư and a tone mark, or a one-byte letter.
_VNI_MARKS = "".join(sorted({key[1] for key in _VNI_DECODE if len(key) == 2}))
_VNI_TONE_CHARS = "".join(_VNI_TONE_MARKS) + "".join(_VNI_TONE_MARKS).upper()
_VNI_PATTERN = re.compile(
    f"[AEOUYaeouy][{_VNI_MARKS}]|[ÔÖôö][{_VNI_TONE_CHARS}]?|"
    f"[{''.join(sorted(key for key in _VNI_DECODE if len(key) == 1))}]"
)

# --- detection -----------------------------------------------------------------------------

# Characters only Unicode Vietnamese has: letters outside Latin-1 and combining marks.
_UNICODE_ONLY = frozenset(char for char in LETTERS if ord(char) > 0xFF) | frozenset(
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
)
# Characters of legacy text read as Windows-1252/Latin-1.
_VNI_CHARS = frozenset(char for key in _VNI_DECODE for char in key if not char.isascii())
_LEGACY_CHARS = frozenset(_TCVN3_DECODE) | _VNI_CHARS
# Latin-1 letters Unicode Vietnamese also uses (à á â ã è é ê ì í ò ó ô õ ù ú ý, capitals).
_UNICODE_LATIN1 = frozenset(char for char in LETTERS if ord(char) <= 0xFF)
_TCVN3_ONLY = frozenset(_TCVN3_DECODE) - _VNI_CHARS - _UNICODE_LATIN1
_VNI_ONLY = _VNI_CHARS - frozenset(_TCVN3_DECODE) - _UNICODE_LATIN1
# A word: a run of characters that are neither white space nor ASCII digits or punctuation.
_WORD = re.compile(r"[^\s!-@\[-`{-~]+")


# Rhymes (vần) without tone: vowel nucleus and final, as written after the onset.
_RHYME_LIST = (
    "a ai ao au ay ac ach am an ang anh ap at ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây "
    "e eo ec em en eng ep et ê êu êch êm ên ênh êp êt i ia iu ich im in inh ip it iêc iêm iên "
    "iêng iêp iêt iêu o oi oc om on ong op ot oa oai oao oay oac oach oam oan oang oanh oap "
    "oat oăc oăm oăn oăng oăt oe oeo oen oet ô ôi ôc ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt u ua ui "
    "uc um un ung up ut uân uâng uât uây uê uêch uênh uy uya uyu uych uynh uyt uyên uyêt uôc "
    "uôi uôm uôn uông uôt uơ ư ưa ưi ưu ưc ưm ưn ưng ưt ươc ươi ươm ươn ương ươp ươt ươu y"
)
_RHYMES = tuple(_RHYME_LIST.split())
_VOWEL_LETTERS = frozenset("aăâeêioôơuưy")


def _tone_places(rhyme: str) -> frozenset[int]:
    """Where a tone mark may sit in `rhyme`, old style (hòa, thúy) or new (hoà, thuý)."""
    vowels = ""
    for char in rhyme:
        if char not in _VOWEL_LETTERS:
            break
        vowels += char
    marked = [index for index, char in enumerate(vowels) if char in "ăâêôơư"]
    if marked:
        return frozenset({marked[-1]})  # the vowel with a letter mark (ươ: on ơ)
    if len(vowels) == 3:
        return frozenset({1})  # oai, oay, uyu
    if vowels in ("oa", "oe", "uy"):
        return frozenset({1}) if len(rhyme) > 2 else frozenset({0, 1})
    return frozenset({0})  # one vowel, or ai, ao, ia, ua …


def _syllables() -> dict[str, frozenset[int]]:
    """Toneless Vietnamese syllables (onset + rhyme, lower case, with ă â ê ô ơ ư đ), each
    with the positions its tone mark may take."""
    front = ("i", "e", "ê", "y")
    pairs = [("", rhyme) for rhyme in (*_RHYMES, "yêm", "yên", "yêt", "yêu")]
    for onset in ("b", "ch", "d", "đ", "h", "kh", "l", "m", "n", "nh", "p", "ph", "r", "s",
                  "t", "th", "tr", "v", "x"):  # fmt: skip
        pairs.extend((onset, rhyme) for rhyme in _RHYMES)
    for onset in ("k", "gh", "ngh"):
        pairs.extend((onset, rhyme) for rhyme in _RHYMES if rhyme.startswith(front))
    for onset in ("c", "ng"):
        pairs.extend((onset, rhyme) for rhyme in _RHYMES if not rhyme.startswith(front))
    for rhyme in _RHYMES:
        if not rhyme.startswith(("e", "ê", "y", "i")):
            pairs.append(("g", rhyme))
            pairs.append(("gi", rhyme))
        elif rhyme.startswith("iê"):
            pairs.append(("gi", rhyme[1:]))  # giêng, giết: the i belongs to the onset
        elif rhyme.startswith("i") and rhyme[1:2] not in _VOWEL_LETTERS:
            pairs.append(("g", rhyme))  # gì, gìn
        if rhyme.startswith(("a", "ă", "â", "e", "ê", "i", "y", "ơ", "ô")):
            pairs.append(("qu", rhyme))
        elif rhyme.startswith("u") and rhyme[1:2] in ("a", "â", "ê", "y", "ơ"):
            pairs.append(("qu", rhyme[1:]))  # quân, quê, quỳnh, quyết
    syllables: dict[str, frozenset[int]] = {}
    for onset, rhyme in pairs:
        places = frozenset(len(onset) + place for place in _tone_places(rhyme))
        syllables[onset + rhyme] = syllables.get(onset + rhyme, frozenset()) | places
    return syllables


_SYLLABLES = _syllables()
_STOPS = ("c", "ch", "p", "t")
_TONE_OF: dict[str, str] = {}
_UNTONED: dict[str, str] = {}
for _letter in LOWER_LETTERS:
    _decomposed = unicodedata.normalize("NFD", _letter)
    _tone = next((mark for mark in _decomposed if mark in _TONES.values()), "")
    if _tone:
        _TONE_OF[_letter] = _tone
        _UNTONED[_letter] = _nfc(_decomposed.replace(_tone, ""))
_UNTONE_TABLE = str.maketrans(_UNTONED)


@functools.lru_cache(maxsize=1 << 16)
def _is_syllable(word: str) -> bool:
    """Whether `word` (any case) has the shape of one Vietnamese syllable: known onset and
    rhyme, at most one tone mark and in its place, only sắc or nặng after p, t, c, ch."""
    word = word.lower()
    places = _SYLLABLES.get(word.translate(_UNTONE_TABLE))
    if places is None:
        return False
    toned = [index for index, char in enumerate(word) if char in _TONE_OF]
    if not toned:
        return not word.endswith(_STOPS)
    if len(toned) > 1 or toned[0] not in places:
        return False
    return not word.endswith(_STOPS) or _TONE_OF[word[toned[0]]] in ("\u0301", "\u0323")


# How common each letter with a mark is in Vietnamese text (3 common … 1 rare). It breaks a
# tie between a TCVN3 and a VNI reading that both read well, when one is clearly likelier:
# VNI "Höng" is Hưng, TCVN3 would make it Hửng.
_COMMON = dict.fromkeys("àáảạăâấầậắặđèéêếềểễệìíỉịòóọôốồổộơớờởợùúủũụưứừữự", 3)
_COMMON.update(dict.fromkeys("ãằẩẫẻẹĩõỏỗỳýỵ", 2))
_COMMON.update(dict.fromkeys("ẳẵẽỡửỷỹ", 1))
_CLEAR_MARGIN = 2


def _commonness(words: Iterable[str]) -> int:
    return sum(_COMMON.get(char, 0) for word in words for char in word.lower())


def _scored_words(text: str) -> list[str]:
    """Words that hold both an ASCII letter and a non-ASCII character."""
    return [
        word
        for word in _WORD.findall(text)
        if not word.isascii() and any("a" <= char <= "z" for char in word.lower())
    ]


def _decode_tcvn3(text: str) -> str:
    return text.translate(_TCVN3_DECODE_TABLE)


def _decode_vni(text: str) -> str:
    # A base and a mark that make no letter (uâ) are left as they are.
    return _VNI_PATTERN.sub(lambda match: _VNI_DECODE.get(match[0], match[0]), text)


def _reading_wins(as_unicode: list[bool], decoded: list[str]) -> int:
    """How many more words read as syllables this way than as Unicode; 0 when a word that
    reads well as Unicode reads badly this way."""
    gained = 0
    for is_unicode, word in zip(as_unicode, decoded, strict=True):
        valid = _is_syllable(word)
        if is_unicode and not valid:
            return 0
        gained += valid and not is_unicode
    return gained


def detect_encoding(text: str) -> str:
    """How the cell `text` (as read from the file) was typed: "unicode", "tcvn3" or "vni"."""
    if text.isascii():
        return UNICODE
    text = _nfc(text)
    if not _UNICODE_ONLY.isdisjoint(text) or _LEGACY_CHARS.isdisjoint(text):
        return UNICODE
    words = _scored_words(text)
    as_unicode = [_is_syllable(word) for word in words]
    if all(as_unicode):
        return UNICODE
    as_tcvn3 = [_decode_tcvn3(word) for word in words]
    as_vni = [_decode_vni(word) for word in words]
    tcvn3 = _reading_wins(as_unicode, as_tcvn3)
    vni = _reading_wins(as_unicode, as_vni)
    if tcvn3 > vni:
        return TCVN3
    if vni > tcvn3:
        return VNI
    if tcvn3:
        # Both readings win equally: the characters only one of them uses decide, then how
        # common the letters each reading gives are; when neither is clear, nothing is
        # converted (a wrong table would turn the text into other, plausible words).
        tcvn3_marks = sum(char in _TCVN3_ONLY for char in text)
        vni_marks = sum(char in _VNI_ONLY for char in text)
        if tcvn3_marks != vni_marks:
            return TCVN3 if tcvn3_marks > vni_marks else VNI
        margin = _commonness(as_tcvn3) - _commonness(as_vni)
        if abs(margin) >= _CLEAR_MARGIN:
            return TCVN3 if margin > 0 else VNI
    return UNICODE


# --- conversion ----------------------------------------------------------------------------


def _restore_capitals(text: str) -> str:
    """Capitals typed with an "H" font: TCVN3 gives their letters with marks in lower case.
    A cell with no ASCII lower case and at least two capitals is all capitals ("BïI B¸" →
    "BÙI BÁ"); otherwise a word with no ASCII lower case and at least two capitals is
    ("NguyÔn V¡N" → "Nguyễn VĂN"). One capital and lower case ("Vũ") is left alone."""
    if not _CAPITALS_WORD.search(text) or text.isupper():
        return text
    if _is_capitals(text):
        return text.upper()
    return " ".join(word.upper() if _is_capitals(word) else word for word in text.split(" "))


def _is_capitals(text: str) -> bool:
    return not _ASCII_LOWER.search(text) and sum(char.isupper() for char in text) >= 2


_CAPITALS_WORD = re.compile(r"(?<!\S)[^\sa-z]{2,}")
_ASCII_LOWER = re.compile("[a-z]")


def to_unicode(text: str, encoding: str) -> str:
    """NFC Unicode for `text` typed in `encoding` ("tcvn3", "vni" or "unicode")."""
    if encoding == TCVN3:
        return _nfc(_restore_capitals(_decode_tcvn3(_nfc(text))))
    if encoding == VNI:
        return _nfc(_decode_vni(_nfc(text)))
    if encoding == UNICODE:
        return _nfc(text)
    raise ValueError(f"Unknown encoding {encoding!r}; expected one of {ENCODINGS}.")


def from_unicode(text: str, encoding: str) -> str:
    """`text` as it reads after being typed in `encoding` and read as Windows-1252 (for tests
    and examples). TCVN3 has no capitals with tones: they get the lower-case code."""
    text = _nfc(text)
    if encoding == TCVN3:
        return text.translate(_TCVN3_ENCODE_TABLE)
    if encoding == VNI:
        return text.translate(_VNI_ENCODE_TABLE)
    if encoding == UNICODE:
        return text
    raise ValueError(f"Unknown encoding {encoding!r}; expected one of {ENCODINGS}.")


def repair_text(text: str) -> str:
    """NFC, legacy encodings converted, white space collapsed and stripped.

    Good Unicode comes back unchanged apart from NFC and spaces. Idempotent: a conversion whose
    result would itself still look like legacy text is not made.
    """
    if text.isascii():
        return " ".join(text.split())
    text = " ".join(_nfc(text).split())
    if not _UNICODE_ONLY.isdisjoint(text) or _LEGACY_CHARS.isdisjoint(text):
        return text
    encoding = detect_encoding(text)
    if encoding == UNICODE:
        return text
    converted = " ".join(to_unicode(text, encoding).split())
    return converted if detect_encoding(converted) == UNICODE else text
