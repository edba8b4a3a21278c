"""Vietnamese text: normalisation, diacritic folding and name sorting.

- Stored text is NFC.
- Folding (for search) removes tone and vowel marks and maps đ/Đ to d, so that
  "nguyen van duc" finds "Nguyễn Văn Đức" on every database.
- Names sort the Vietnamese way: by given name first, then by family and middle names, each in
  the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), and
  tone marks break ties in dictionary order (ngang, huyền, hỏi, ngã, sắc, nặng).
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_spaces(text: str) -> str:
    return _SPACES.sub(" ", nfc(text)).strip()


def fold(text: str) -> str:
    """Lower-case ASCII form of Vietnamese text: tone and vowel marks removed, đ → d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def normalise_name(text: str) -> str:
    """NFC, single spaces, each word capitalised: 'nguyễn  văn đức' → 'Nguyễn Văn Đức'."""
    return " ".join(word[:1].upper() + word[1:].lower() for word in clean_spaces(text).split(" "))


# Base letters in Vietnamese alphabetical order; each maps to one sortable ASCII character.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_EXTRA = "fjwz"  # letters of foreign names, placed after their neighbours
_LETTER_KEY: dict[str, str] = {}
for _index, _letter in enumerate(_ALPHABET):
    _LETTER_KEY[_letter] = chr(ord("A") + _index)
for _letter in _EXTRA:
    _LETTER_KEY[_letter] = {"f": "G", "j": "N", "w": "d", "z": "e"}[_letter]
# Tone marks (combining characters) in dictionary order; no mark sorts first.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
# Marks that make a distinct letter rather than a tone.
_LETTER_MARKS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}


def _word_key(word: str) -> str:
    """Letters mapped to sortable characters, then the word's tone digit."""
    letters: list[str] = []
    tone = "0"
    for char in word.lower():
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        letter = base
        for mark in marks:
            if (letter, mark) in _LETTER_MARKS:
                letter = _LETTER_MARKS[(letter, mark)]
            elif mark in _TONES:
                tone = _TONES[mark]
        key = _LETTER_KEY.get(letter)
        if key is None:
            key = letter if letter.isdigit() else "~"
        letters.append(key)
    return "".join(letters) + tone


def split_name(full_name: str) -> tuple[str, str]:
    """Split a Vietnamese full name into (family and middle names, given name)."""
    words = clean_spaces(full_name).split(" ")
    return " ".join(words[:-1]), words[-1]


def name_sort_key(full_name: str) -> str:
    """Key that sorts names the Vietnamese way under plain binary (C) collation.

    Each word is its letters then its tone digit, so "an", "án", "ăn" and "anh" fall in
    dictionary order; words are joined by a space, which sorts before every letter and digit.
    """
    family_middle, given = split_name(full_name)
    words = [given, *family_middle.split(" ")] if family_middle else [given]
    return " ".join(_word_key(word) for word in words)[:255]
