import random
import shutil
import subprocess
import unicodedata

import pytest

from dangso.core import legacy
from dangso.core.legacy import detect_encoding, from_unicode, repair_text, to_unicode
from dangso.core.names import FAMILY_NAMES, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE
from dangso.core.text import normalise_name

WORDS = sorted(
    {family for family, _weight in FAMILY_NAMES}
    | {*MALE_MIDDLE, *FEMALE_MIDDLE, *MALE_GIVEN, *FEMALE_GIVEN}
)


def _names(count: int, seed: int = 204) -> list[str]:
    rng = random.Random(seed)
    families = [family for family, _weight in FAMILY_NAMES]
    names = set()
    while len(names) < count:
        if rng.random() < 0.5:
            middle, given = rng.choice(MALE_MIDDLE), rng.choice(MALE_GIVEN)
        else:
            middle, given = rng.choice(FEMALE_MIDDLE), rng.choice(FEMALE_GIVEN)
        names.add(f"{rng.choice(families)} {middle} {given}")
    return sorted(names)


NAMES = _names(600)
# Capitals with tone marks: TCVN3 has no code for them.
_TONED_CAPITALS = {letter for letter in legacy.LETTERS if letter.isupper()} - set("ĂÂÊÔƠƯĐ")


# --- the tables ----------------------------------------------------------------------------


def test_the_tables_cover_every_vietnamese_letter():
    assert len(legacy.LOWER_LETTERS) == 67
    assert len(set(legacy.LETTERS)) == 134
    # í and ì are one byte in VNI, the same as in Latin-1; so is ý in TCVN3.
    assert [letter for letter in legacy.LETTERS if from_unicode(letter, "vni") == letter] == [
        "í", "ì", "Í", "Ì"
    ]  # fmt: skip
    assert [letter for letter in legacy.LETTERS if from_unicode(letter, "tcvn3") == letter] == ["ý"]


@pytest.mark.parametrize("letter", legacy.LETTERS)
def test_every_letter_round_trips_through_vni(letter):
    assert to_unicode(from_unicode(letter, "vni"), "vni") == letter


@pytest.mark.parametrize("letter", legacy.LETTERS)
def test_every_letter_round_trips_through_tcvn3_up_to_case(letter):
    back = to_unicode(from_unicode(letter, "tcvn3"), "tcvn3")
    assert back == (letter.lower() if letter in _TONED_CAPITALS else letter)


def test_tcvn3_codes_are_those_of_tcvn_5712():
    """Each TCVN3 (VN3) byte decodes as glibc's TCVN5712-1 decodes it."""
    if shutil.which("iconv") is None:
        pytest.skip("iconv is not installed")
    codes = bytes(sorted(legacy._TCVN3_CODES.values()))
    result = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=codes, capture_output=True, check=False
    )
    if result.returncode:
        pytest.skip("this iconv has no TCVN5712-1")
    glibc = list(unicodedata.normalize("NFC", result.stdout.decode()))
    ours = [to_unicode(chr(code), "tcvn3") for code in codes]  # one by one: no "H" font
    assert ours == glibc


@pytest.mark.parametrize(
    ("letter", "vni"),
    [("ă", "aê"), ("â", "aâ"), ("ê", "eâ"), ("ô", "oâ"), ("ơ", "ô"), ("ư", "ö"), ("đ", "ñ"),
     ("Đ", "Ñ"), ("ễ", "eã"), ("ứ", "öù"), ("ặ", "aë"), ("ị", "ò"), ("ĩ", "ó"), ("ỉ", "æ"),
     ("ỵ", "î"), ("Ấ", "AÁ"), ("Ở", "ÔÛ"), ("Ỵ", "Î")],
)  # fmt: skip
def test_vni_sequences(letter, vni):
    assert from_unicode(letter, "vni") == vni
    assert to_unicode(vni, "vni") == letter


@pytest.mark.parametrize(
    ("letter", "tcvn3"),
    [("ă", "¨"), ("â", "©"), ("ê", "ª"), ("ô", "«"), ("ơ", "¬"), ("ư", "\xad"), ("đ", "®"),
     ("Ă", "¡"), ("Â", "¢"), ("Ê", "£"), ("Ô", "¤"), ("Ơ", "¥"), ("Ư", "¦"), ("Đ", "§"),
     ("á", "¸"), ("à", "µ"), ("ễ", "Ô"), ("ứ", "ø"), ("ắ", "¾"), ("ỵ", "þ")],
)  # fmt: skip
def test_tcvn3_codes(letter, tcvn3):
    assert from_unicode(letter, "tcvn3") == tcvn3
    assert to_unicode(tcvn3, "tcvn3") == letter


# --- real text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "unicode"),
    [
        ("NguyÔn V¨n §øc", "tcvn3", "Nguyễn Văn Đức"),
        ("Nguyeãn Vaên Ñöùc", "vni", "Nguyễn Văn Đức"),
        ("B¶o Th¾ng", "tcvn3", "Bảo Thắng"),
        ("M\xadêng Kh\xad\xacng", "tcvn3", "Mường Khương"),
        ("B¸t X¸t", "tcvn3", "Bát Xát"),
        ("Th«n §«ng, x· Yªn Phong, tØnh B¾c Ninh", "tcvn3",
         "Thôn Đông, xã Yên Phong, tỉnh Bắc Ninh"),
        ("Tr­êng §¹i häc S­ ph¹m Hµ Néi", "tcvn3", "Trường Đại học Sư phạm Hà Nội"),
        ("Xin chaøo caùc baïn", "vni", "Xin chào các bạn"),
        ("Thaønh phoá Hoà Chí Minh", "vni", "Thành phố Hồ Chí Minh"),
        ("Ñaûng Coäng saûn Vieät Nam", "vni", "Đảng Cộng sản Việt Nam"),
        ("Nöôùc", "vni", "Nước"),
        ("Tèt", "tcvn3", "Tốt"),
    ],
)  # fmt: skip
def test_real_legacy_text_is_detected_and_converted(text, encoding, unicode):
    assert detect_encoding(text) == encoding
    assert to_unicode(text, encoding) == unicode
    assert repair_text(text) == unicode


@pytest.mark.parametrize(
    "text",
    [
        "Đặng Thị Hồng", "Ê Đê", "Hà Nội", "Nguyễn Văn Đức", "Lê Thanh Tâm", "Ngô Bá Toàn",
        "Tô Minh Tâm", "Toàn", "Hoà", "Hòa", "Thuý", "Thúy", "Lý", "Võ Thị Mai", "Mường Khương",
        "Sơn", "Ông", "ô", "Ư", "ƯỚC", "LÊ THANH TÂM", "NGÔ BÁ TOÀN", "Cà Mau", "Đắk Lắk",
        "Nguyen Van Duc", "", "   ", "12/12", "0912 345 678", "José García", "Café", "Müller",
        "H'Hen Niê", "Y Blô Êban", "K'Ho", "Khác (×)", "3×4 cm", "© 2010", "§ 2", "½ lương",
        "Hòang", "Tòan", "Qúy",
    ],
)  # fmt: skip
def test_good_unicode_is_never_converted(text):
    assert detect_encoding(text) == "unicode"
    assert repair_text(text) == " ".join(text.split())


@pytest.mark.parametrize("name", NAMES)
def test_names_typed_in_unicode_stay_as_they_are(name):
    assert detect_encoding(name) == "unicode"
    assert detect_encoding(name.upper()) == "unicode"
    assert detect_encoding(unicodedata.normalize("NFD", name)) == "unicode"
    assert repair_text(name) == name
    assert repair_text(unicodedata.normalize("NFD", name)) == name


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_names_typed_in_a_legacy_encoding_are_repaired_or_left_alone(encoding):
    """A legacy name is converted with its own table, or left as it is when it reads just as
    well as Unicode ("Cao Bích Hoàng" is VNI for Cao Bích Hồng, and a name in its own right);
    it is never converted with the other table."""
    converted = left = 0
    for name in NAMES:
        typed = from_unicode(name, encoding)
        repaired = repair_text(typed)
        if repaired == typed:
            left += typed != name
        else:
            converted += 1
            assert normalise_name(repaired) == name
            assert detect_encoding(typed) == encoding
    assert converted >= 0.95 * len(NAMES)
    assert left <= 0.03 * len(NAMES)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_names_in_capitals_typed_in_a_legacy_encoding(encoding):
    """In TCVN3 capitals with tones were typed with an "H" font: the lower-case code in a
    word of capitals."""
    converted = 0
    for name in NAMES:
        typed = from_unicode(name.upper(), encoding)
        repaired = repair_text(typed)
        if repaired != typed:
            converted += 1
            assert repaired == name.upper()
    assert converted >= 0.95 * len(NAMES)


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_every_word_of_the_name_tables_round_trips(word, encoding):
    back = to_unicode(from_unicode(word, encoding), encoding)
    if encoding == "vni" or not _TONED_CAPITALS & set(word):
        assert back == word
    else:
        assert normalise_name(back) == word  # "Ánh" comes back as "ánh"


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_every_name_round_trips(encoding):
    for name in NAMES:
        back = to_unicode(from_unicode(name, encoding), encoding)
        assert normalise_name(back) == name
        if encoding == "vni" or not _TONED_CAPITALS & set(name):
            assert back == name
        assert to_unicode(from_unicode(name.upper(), encoding), encoding) == name.upper()


def test_h_font_capitals_come_back_as_capitals():
    assert repair_text("NGUYÔN THÞ ¸NH") == "NGUYỄN THỊ ÁNH"
    assert repair_text("BïI B¸ C¦êNG") == "BÙI BÁ CƯỜNG"
    assert repair_text("NguyÔn V¡N Hïng") == "Nguyễn VĂN Hùng"
    assert repair_text("Vò Thóy") == "Vũ Thúy"  # one capital: the rest stays lower case


def test_a_mixed_file_is_repaired_cell_by_cell():
    cells = ["NguyÔn V¨n §øc", "Nguyễn Văn Đức", "Trần Thị Lan", "Lª ThÞ Hoa",
             "Nguyeãn Thò Mai", "Hµ Néi", "Hà Nội", "Toàn", "12/12", ""]  # fmt: skip
    assert [repair_text(cell) for cell in cells] == [
        "Nguyễn Văn Đức", "Nguyễn Văn Đức", "Trần Thị Lan", "Lê Thị Hoa", "Nguyễn Thị Mai",
        "Hà Nội", "Hà Nội", "Toàn", "12/12", "",
    ]  # fmt: skip
    assert [detect_encoding(cell) for cell in cells[:5]] == [
        "tcvn3", "unicode", "unicode", "tcvn3", "vni",
    ]  # fmt: skip


def test_western_punctuation_in_tcvn3_text_is_kept():
    assert repair_text("“Tèt” – Hµ Néi…") == "“Tốt” – Hà Nội…"


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("  Nguyễn   Văn\tĐức \n", "Nguyễn Văn Đức"),
        ("Nguye\u0302\u0303n Va\u0306n \u0110u\u031b\u0301c", "Nguyễn Văn Đức"),  # NFD
        ("  NguyÔn  V¨n  §øc ", "Nguyễn Văn Đức"),
        ("Nguyen\u00a0Van", "Nguyen Van"),
    ],
)
def test_repair_text_normalises_and_collapses_spaces(text, repaired):
    assert repair_text(text) == repaired


def test_repair_text_is_idempotent():
    rng = random.Random(5)
    pool = (
        "aeiouyAEIOUYbcdghklmnpqrstvxđĐăâêôơư ¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾ÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×"
        "ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïñòóôõö÷øùúûüýþ-'.,"
    )
    samples = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 14))) for _ in range(3000)]
    for name in NAMES[:100]:
        samples += [name, from_unicode(name, "tcvn3"), from_unicode(name, "vni")]
    for text in samples:
        once = repair_text(text)
        assert repair_text(once) == once, text


@pytest.mark.parametrize("function", [to_unicode, from_unicode])
def test_an_unknown_encoding_is_an_error(function):
    with pytest.raises(ValueError, match="viscii"):
        function("x", "viscii")


def test_unicode_is_its_own_encoding():
    assert to_unicode("Nguye\u0302\u0303n", "unicode") == "Nguyễn"
    assert from_unicode("Nguyễn", "unicode") == "Nguyễn"
