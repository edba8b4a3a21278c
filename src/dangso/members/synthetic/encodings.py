"""How old registers typed Vietnamese, as the text reads in a UTF-8 file: TCVN3 (ABC) and
VNI-Windows, written independently of `core.legacy` (which repairs them) so that each checks the
other."""

import unicodedata

_TONES = {"\u0300": 0, "\u0309": 1, "\u0303": 2, "\u0301": 3, "\u0323": 4}  # huyền hỏi ngã sắc nặng
# TCVN3 (ABC, .VnTime fonts), lower case: plain, then the five tones in the order of _TONES.
_TCVN3_ROWS = {
    "a": "aµ¶·¸¹", "ă": "¨»¼½¾Æ", "â": "©ÇÈÉÊË", "e": "eÌÎÏÐÑ", "ê": "ªÒÓÔÕÖ",
    "i": "i×ØÜÝÞ", "o": "oßáâãä", "ô": "«åæçèé", "ơ": "¬êëìíî", "u": "uïñòóô",
    "ư": "\xadõö÷øù", "y": "yúûüýþ",
}  # fmt: skip
_TCVN3 = {"đ": "®", "Đ": "§", "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦"}
for _base, _codes in _TCVN3_ROWS.items():
    _TCVN3[_base] = _codes[0]
    for _mark, _tone in _TONES.items():
        _TCVN3[unicodedata.normalize("NFC", _base + _mark)] = _codes[_tone + 1]
# VNI-Windows: base letter then a mark character; the mark's case follows the letter's.
_VNI_TONE = "øûõùï"  # huyền hỏi ngã sắc nặng, in the order of _TONES
_VNI_CIRCUMFLEX = "âàåãáä"  # no tone, then the tones
_VNI_BREVE = "êèúüéë"
_VNI_SINGLE = {"đ": "ñ", "Đ": "Ñ", "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}


def to_tcvn3(text: str) -> str | None:
    """`text` typed in TCVN3 and read as Windows-1252, or None where TCVN3 has no such letter
    (a capital vowel with a tone mark needs the capitals-only font)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            out.append(char)
        elif char in _TCVN3:
            out.append(_TCVN3[char])
        else:
            return None
    return "".join(out)


def to_vni(text: str) -> str:
    """`text` typed in VNI-Windows and read as Windows-1252: 'Nguyễn' → 'Nguyeãn'."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            out.append(char)
            continue
        lower = char.lower()
        upper = char != lower
        if lower in _VNI_SINGLE:
            single = _VNI_SINGLE[lower]
            out.append(single.upper() if upper else single)
            continue
        decomposed = unicodedata.normalize("NFD", lower)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((_TONES[m] for m in marks if m in _TONES), None)
        if "\u031b" in marks:  # horn: ơ ư are letters of their own in VNI
            base, mark = {"o": "ô", "u": "ö"}[base], ""
        elif "\u0302" in marks:
            mark = _VNI_CIRCUMFLEX[0 if tone is None else tone + 1]
            tone = None
        elif "\u0306" in marks:
            mark = _VNI_BREVE[0 if tone is None else tone + 1]
            tone = None
        else:
            mark = ""
        if tone is not None:
            mark = _VNI_TONE[tone]
        if upper:
            base, mark = base.upper(), mark.upper()
        out.append(base + mark)
    return "".join(out)
