"""Thẻ đảng viên điện tử: signed QR, offline verification, revocation, the pages and the CLI."""

import datetime
import json
import re
import stat
from pathlib import Path

import pytest
import segno
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from dangso.core import signed_payloads
from dangso.core.audit import Actor
from dangso.core.models import AuditEntry
from dangso.handbook import card
from dangso.handbook.card import KeySet, Status
from dangso.members.actions import record_event
from dangso.members.choices import EventKind, MemberStatus
from dangso.testing.factories import MemberFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

HANOI = datetime.timezone(datetime.timedelta(hours=7))
ISSUE_DAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def card_settings(settings, tmp_path):
    """A throwaway signing key made as in production (tests run with DEBUG off), no cached
    revocation list, English messages (the msgids)."""
    settings.DANGSO_CARD_KEY_FILE = str(tmp_path / "keys" / "card-signing-key.pem")
    settings.DANGSO_CARD_REVOCATIONS_SECONDS = 0
    settings.DANGSO_CARD_VALID_DAYS = 365
    settings.DANGSO_BASE_URL = "https://dangso.example.vn"
    settings.LANGUAGE_CODE = "en"
    card.generate_key()
    with translation.override("en"):
        yield settings


@pytest.fixture
def no_key(card_settings, tmp_path):
    """A site where nobody has made the key yet."""
    card_settings.DANGSO_CARD_KEY_FILE = str(tmp_path / "fresh" / "card-signing-key.pem")
    return Path(card_settings.DANGSO_CARD_KEY_FILE)


@pytest.fixture
def hoa(tree):
    """A member of cell a1 with a card number — and a CCCD, birth date and phone the card must
    not carry."""
    return MemberFactory(
        organisation=tree["a1"], full_name="Nguyễn Thị Hoa", sex="F", card_number="12345678",
        date_of_birth=datetime.date(1988, 7, 14), cccd="001188012345", phone="0912345678",
    )  # fmt: skip


@pytest.fixture
def binh(tree):
    return MemberFactory(
        organisation=tree["b1"], full_name="Trần Văn Bình", sex="M", card_number="87654321"
    )


def issued_on(member, day=ISSUE_DAY) -> card.IssuedCard:
    moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=HANOI)
    with time_machine.travel(moment, tick=False):
        return card.issue_card(member, actor=Actor.system("test"))


def publish(folder: Path) -> tuple[KeySet, bytes]:
    """Publish as an administrator would, and read back what an offline verifier receives."""
    call_command("card", "publish", "--out", str(folder), stdout=_sink())
    return (
        KeySet.from_pem((folder / "public-key.pem").read_bytes()),
        (folder / "revocations.json").read_bytes(),
    )


def _sink():
    import io

    return io.StringIO()


def run_cli(*args) -> tuple[int, str, str]:
    """`dangso card …` → (exit code, stdout, stderr)."""
    out, err = _sink(), _sink()
    try:
        call_command("card", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def b64(data: bytes) -> str:
    return signed_payloads.b64encode(data)


def forge(payload: dict, key: Ed25519PrivateKey) -> str:
    """A card text signed by `key` with any payload (what an attacker with their own key does)."""
    signed = f"DSC1.{b64(signed_payloads.canonical_json(payload))}"
    return f"{signed}.{b64(key.sign(signed.encode()))}"


def payload_of(text: str) -> dict:
    return json.loads(signed_payloads.b64decode(text.split(".")[1]))


def member_client(member) -> Client:
    user = UserFactory()
    member.user = user
    member.save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    return client


# --- offline verification ----------------------------------------------------------------------


def test_a_card_verifies_offline_with_only_the_published_files(
    hoa, tmp_path, django_assert_num_queries
):
    issued = issued_on(hoa)
    keys, revocations = publish(tmp_path / "pub")

    with django_assert_num_queries(0):
        by_url = card.verify(issued.url, keys, revocations, ISSUE_DAY)
        by_text = card.verify(issued.text, keys, revocations, ISSUE_DAY + datetime.timedelta(200))
        code, out, _err = run_cli(
            "verify",
            "--keys", str(tmp_path / "pub" / "public-key.pem"),
            "--revocations", str(tmp_path / "pub" / "revocations.json"),
            issued.url,
        )  # fmt: skip

    assert by_url.status == by_text.status == Status.VALID
    assert by_url.card == card.Card(
        card_number="12345678", full_name="Nguyễn Thị Hoa", cell_name="Chi bộ thôn Đông",
        cell_code="X01C1", issued=ISSUE_DAY, expires=datetime.date(2027, 3, 2),
        kid=next(iter(keys)),
    )  # fmt: skip
    assert issued.url.startswith("https://dangso.example.vn/handbook/card/verify/?c=DSC1.")
    assert code == 0
    assert "Valid" in out and "Nguyễn Thị Hoa" in out and "12345678" in out
    assert "Chi bộ thôn Đông (X01C1)" in out and "02/03/2027" in out


def test_the_payload_is_minimal_and_the_qr_stays_readable(hoa, tree):
    issued = issued_on(hoa)
    payload = payload_of(issued.text)

    assert set(payload) == {"v", "kid", "no", "name", "cell", "org", "iat", "exp"}
    raw = signed_payloads.b64decode(issued.text.split(".")[1]).decode()
    for private in ("001188012345", "0912345678", "1988", "14/07"):
        assert private not in raw
    # A long name in a long-named cell still fits a QR version a phone reads off a screen.
    school = OrganisationFactory(
        code="X01C9", name="Chi bộ Trường Trung học phổ thông Lý Thường Kiệt", parent=tree["a"]
    )
    long = MemberFactory(
        organisation=school, card_number="11112222", full_name="Tôn Nữ Thị Phương Thảo"
    )
    assert segno.make(issued_on(long).url, error="m", boost_error=False).version <= 16
    assert segno.make(issued.url, error="m", boost_error=False).version <= 14


def test_one_altered_character_anywhere_fails(hoa, tmp_path):
    issued = issued_on(hoa)
    keys, revocations = publish(tmp_path)
    accepted = []
    for index, char in enumerate(issued.text):
        for replacement in {"A", "B", "_", "."} - {char}:
            altered = issued.text[:index] + replacement + issued.text[index + 1 :]
            if card.verify(altered, keys, revocations, ISSUE_DAY).is_valid:
                accepted.append((index, replacement))
    assert accepted == []
    assert card.verify(issued.text[:-1], keys, revocations, ISSUE_DAY).status == Status.MALFORMED
    assert card.verify(issued.text + "A", keys, revocations, ISSUE_DAY).status == Status.MALFORMED


def test_one_altered_byte_of_the_payload_or_the_signature_fails(hoa, tmp_path):
    """Each byte changed, then encoded correctly: the signature no longer matches."""
    issued = issued_on(hoa)
    keys, revocations = publish(tmp_path)
    prefix, encoded_payload, encoded_signature = issued.text.split(".")
    payload, signature = (
        signed_payloads.b64decode(encoded_payload),
        signed_payloads.b64decode(encoded_signature),
    )
    results = set()
    for index in range(len(payload)):
        altered = bytearray(payload)
        altered[index] ^= 0x01
        text = f"{prefix}.{b64(bytes(altered))}.{encoded_signature}"
        results.add(card.verify(text, keys, revocations, ISSUE_DAY).status)
    for index in range(len(signature)):
        altered = bytearray(signature)
        altered[index] ^= 0x80
        text = f"{prefix}.{encoded_payload}.{b64(bytes(altered))}"
        results.add(card.verify(text, keys, revocations, ISSUE_DAY).status)
    assert Status.VALID not in results
    assert Status.INVALID_SIGNATURE in results


def test_a_forged_name_is_refused_and_shows_nothing(hoa, tmp_path):
    issued = issued_on(hoa)
    keys, revocations = publish(tmp_path)
    payload = payload_of(issued.text)
    payload["name"] = "Nguyễn Văn Giả"
    forged = f"DSC1.{b64(signed_payloads.canonical_json(payload))}.{issued.text.split('.')[2]}"

    result = card.verify(forged, keys, revocations, ISSUE_DAY)

    assert result.status == Status.INVALID_SIGNATURE
    assert result.card is None
    assert "altered" in result.message


def test_a_card_signed_by_another_key_is_refused(hoa, tmp_path):
    issued = issued_on(hoa)
    keys, revocations = publish(tmp_path)
    intruder = Ed25519PrivateKey.generate()
    payload = payload_of(issued.text)

    own_kid = forge({**payload, "kid": signed_payloads.key_id(intruder.public_key())}, intruder)
    platform_kid = forge(payload, intruder)

    assert card.verify(own_kid, keys, revocations, ISSUE_DAY).status == Status.UNKNOWN_KEY
    assert (
        card.verify(platform_kid, keys, revocations, ISSUE_DAY).status == Status.INVALID_SIGNATURE
    )


@pytest.mark.parametrize(
    ("days_after_issue", "status"),
    [
        (-1, Status.NOT_YET_VALID),
        (0, Status.VALID),
        (365, Status.VALID),  # the expiry day itself is still valid
        (366, Status.EXPIRED),
        (1000, Status.EXPIRED),
    ],
)
def test_a_card_is_valid_from_its_issue_day_to_its_expiry_day(
    hoa, tmp_path, days_after_issue, status
):
    issued = issued_on(hoa)
    keys, revocations = publish(tmp_path)
    today = ISSUE_DAY + datetime.timedelta(days=days_after_issue)

    result = card.verify(issued.text, keys, revocations, today)

    assert result.status == status
    assert result.card is not None and result.card.full_name == "Nguyễn Thị Hoa"


def test_an_expired_card_fails_on_the_command_line(hoa, tmp_path):
    issued = issued_on(hoa)
    publish(tmp_path)
    later = datetime.datetime(2027, 3, 3, 9, tzinfo=HANOI)

    with time_machine.travel(later, tick=False):
        code, out, _err = run_cli("verify", "--keys", str(tmp_path / "card-keys.json"), issued.text)

    assert code == 1
    assert "Expired" in out and "expired on 02/03/2027" in out


# --- revocation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "details"),
    [
        (EventKind.DIED, {}),
        (EventKind.REMOVED, {"decision_number": "15-QĐ/ĐU"}),
        (EventKind.EXPELLED, {"decision_number": "16-QĐ/ĐU"}),
        (EventKind.TRANSFERRED_OUT, {"destination": "Đảng bộ Quân sự tỉnh Bắc Ninh"}),
    ],
)
def test_a_member_who_leaves_is_revoked(hoa, binh, tmp_path, kind, details):
    issued = issued_on(hoa)
    keys, before = publish(tmp_path / "before")
    assert card.verify(issued.text, keys, before, ISSUE_DAY).is_valid
    assert card.verify_online(issued.text, ISSUE_DAY).is_valid

    record_event(hoa, kind, date=datetime.date.today(), actor=Actor.system("test"), **details)
    keys, after = publish(tmp_path / "after")

    assert json.loads(after)["revoked"] == ["12345678"]
    result = card.verify(issued.text, keys, after, ISSUE_DAY)
    assert result.status == Status.REVOKED
    assert "no longer on the roll" in result.message
    assert card.verify_online(issued.text, ISSUE_DAY).status == Status.REVOKED
    assert card.verify(issued_on(binh).text, keys, after, ISSUE_DAY).is_valid


def test_the_revocation_list_is_built_in_one_query(tree, django_assert_num_queries):
    for number, status in [
        ("30000003", MemberStatus.DECEASED),
        ("10000001", MemberStatus.EXPELLED),
        ("20000002", MemberStatus.MERGED),
        ("40000004", MemberStatus.OFFICIAL),
        ("50000005", MemberStatus.EXEMPT),
        (None, MemberStatus.REMOVED),
    ]:
        MemberFactory(organisation=tree["a1"], card_number=number, status=status)
    card.signing_key()

    with django_assert_num_queries(1):
        document = card.build_revocations()

    assert document["revoked"] == ["10000001", "20000002", "30000003"]
    assert card.RevocationList.load(document, card.published_keys()).is_revoked("30000003")


def _drop_first(document):
    return {**document, "revoked": document["revoked"][1:]}


def _older(document):
    return {**document, "issued_at": "2020-01-01T00:00:00+00:00"}


def _unsigned(document):
    return {name: value for name, value in document.items() if name != "sig"}


def _other_key(document):
    intruder = Ed25519PrivateKey.generate()
    now = datetime.datetime.fromisoformat(document["issued_at"])
    return card.sign_revocations([], key=intruder, now=now)


def _other_key_claiming_ours(document):
    return {**_other_key(document), "kid": document["kid"]}


@pytest.mark.parametrize(
    "tamper",
    [_drop_first, _older, _unsigned, _other_key, _other_key_claiming_ours],
    ids=lambda tamper: tamper.__name__.strip("_"),
)
def test_a_tampered_revocation_list_is_refused(hoa, tree, tmp_path, tamper):
    MemberFactory(organisation=tree["a1"], card_number="99999999", status=MemberStatus.DECEASED)
    issued = issued_on(hoa)
    keys, revocations = publish(tmp_path)
    tampered = json.dumps(tamper(json.loads(revocations))).encode()
    (tmp_path / "tampered.json").write_bytes(tampered)

    result = card.verify(issued.text, keys, tampered, ISSUE_DAY)
    code, out, _err = run_cli(
        "verify", "--keys", str(tmp_path / "public-key.pem"),
        "--revocations", str(tmp_path / "tampered.json"), issued.text,
    )  # fmt: skip

    assert result.status == Status.REVOCATIONS_INVALID
    with pytest.raises(card.CardError):
        card.RevocationList.load(tampered, keys)
    assert code == 1 and "Revocation list not valid" in out


@pytest.mark.parametrize("garbage", [b"", b"not json", b"[]", b'{"v": 1}'])
def test_a_damaged_revocation_list_is_refused(hoa, tmp_path, garbage):
    issued = issued_on(hoa)
    keys, _revocations = publish(tmp_path)

    assert card.verify(issued.text, keys, garbage, ISSUE_DAY).status == Status.REVOCATIONS_INVALID


# --- keys --------------------------------------------------------------------------------------


def test_keygen_writes_a_private_key_for_its_owner_only_and_never_overwrites(no_key):
    path = no_key

    code, out, _err = run_cli("keygen")
    first = path.read_bytes()
    again, _out, err = run_cli("keygen")

    assert code == 0 and str(path) in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert again == 2 and "--rotate" in err
    assert path.read_bytes() == first


def test_a_rotated_key_keeps_earlier_cards_valid(hoa, tmp_path, card_settings):
    old = issued_on(hoa)
    code, _out, _err = run_cli("keygen", "--rotate")
    new = issued_on(hoa)
    keys, revocations = publish(tmp_path / "pub")

    assert code == 0
    assert payload_of(old.text)["kid"] != payload_of(new.text)["kid"]
    assert set(keys) == {payload_of(old.text)["kid"], payload_of(new.text)["kid"]}
    assert card.verify(old.text, keys, revocations, ISSUE_DAY).is_valid
    assert card.verify(new.text, keys, revocations, ISSUE_DAY).is_valid
    path = Path(card_settings.DANGSO_CARD_KEY_FILE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob(".card-key-*"))


def test_a_development_site_makes_its_key_on_first_use(hoa, no_key, card_settings):
    card_settings.DEBUG = True

    issued = issued_on(hoa)

    assert stat.S_IMODE(no_key.stat().st_mode) == 0o600
    assert payload_of(issued.text)["kid"] == signed_payloads.key_id(card.signing_key().public_key())


def test_without_a_key_production_refuses_with_a_clear_message(hoa, no_key, card_settings):
    card_settings.DEBUG = False
    client = member_client(hoa)

    with pytest.raises(card.CardKeyMissing, match="dangso card keygen"):
        card.signing_key()
    page = client.get(reverse("handbook:card"))
    verify = Client().get(reverse("handbook:card_verify"), {"c": "DSC1.AAAA.AAAA"})
    published = Client().get(reverse("handbook:card_keys"))

    assert page.status_code == 200 and b'id="card-problem"' in page.content
    assert verify.status_code == 200 and b'id="card-unavailable"' in verify.content
    assert published.status_code == 503 and "dangso card keygen" in published.json()["error"]
    assert not no_key.exists()


# --- pages -------------------------------------------------------------------------------------


def test_the_card_page_needs_a_signed_in_member(hoa, tree):
    url = reverse("handbook:card")

    anonymous = Client().get(url)
    official = Client()
    official.force_login(UserFactory())

    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    assert official.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action=card.ISSUE_ACTION).exists()


def test_the_card_page_shows_the_members_own_card_only(hoa, binh):
    response = member_client(hoa).get(reverse("handbook:card"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Thị Hoa" in html and "12345678" in html and "Chi bộ thôn Đông" in html
    assert "Trần Văn Bình" not in html and "87654321" not in html
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    text = re.search(r'id="card-text">([^<]+)<', html).group(1)
    result = card.verify_online(text)
    assert result.is_valid and result.card.card_number == "12345678"
    assert card.qr_svg(card.verify_url(text)) in html


def test_a_member_without_a_card_number_is_told_why(tree):
    member = MemberFactory(organisation=tree["a1"], card_number=None)

    response = member_client(member).get(reverse("handbook:card"))

    assert response.status_code == 200
    assert b'id="card-no-number"' in response.content and b"<svg" not in response.content
    assert b"no party card number yet" in response.content
    assert not AuditEntry.objects.filter(action=card.ISSUE_ACTION).exists()


def test_a_malformed_card_number_is_explained_not_signed(tree):
    member = MemberFactory(organisation=tree["a1"], card_number="1234-56")

    response = member_client(member).get(reverse("handbook:card"))

    assert response.status_code == 200
    assert b'id="card-bad-number"' in response.content and b"<svg" not in response.content
    assert "(1234-56) is not 8 digits" in response.content.decode()


def test_issuing_is_audited_once_a_day(hoa):
    client = member_client(hoa)

    # Within a session's 8 hours: twice late on the 2nd, once just after midnight.
    for day, hour in ((2, 22), (2, 23), (3, 1)):
        moment = datetime.datetime(2026, 3, day, hour, tzinfo=HANOI)
        with time_machine.travel(moment, tick=False):
            assert client.get(reverse("handbook:card")).status_code == 200

    entries = AuditEntry.objects.filter(action=card.ISSUE_ACTION, object_id=str(hoa.pk))
    assert entries.count() == 2
    assert entries.first().changes["expires"] == "2027-03-02"


@pytest.mark.parametrize(
    "garbage",
    [
        "hello",
        "DSC1.",
        "DSC1.!!!.???",
        "DSC2.e30.AAAA",
        "https://dangso.example.vn/handbook/card/verify/?c=",
        "https://dangso.example.vn/handbook/card/verify/?c=DSC1.AAAA.AAAA",
        "DSC1." + "A" * 5000 + ".AAAA",
        "DSC1.W10." + "A" * 86,  # a JSON array
        "DSC1.__8." + "A" * 86,  # not UTF-8
        "<script>alert(1)</script>",
    ],
)
def test_the_public_verify_page_answers_garbage_with_a_message(tree, garbage):
    response = Client().get(reverse("handbook:card_verify"), {"c": garbage})

    assert response.status_code == 200
    html = response.content.decode()
    if garbage.rstrip("=").endswith("?c"):
        return  # an empty code: the form alone
    assert 'data-status="malformed"' in html
    assert "This is not an electronic party card code" in html
    assert "<script>alert" not in html


def test_the_public_verify_page_shows_a_valid_card_and_a_revoked_one(hoa):
    issued = issued_on(hoa)
    verify = reverse("handbook:card_verify")
    today = datetime.datetime(2026, 6, 1, 9, tzinfo=HANOI)

    with time_machine.travel(today, tick=False):
        scanned = Client().get(issued.url.removeprefix("https://dangso.example.vn"))
        pasted = Client().get(verify, {"c": f"  {issued.text[:100]}\n{issued.text[100:]} "})
        record_event(hoa, EventKind.DIED, date=today.date(), actor=Actor.system("test"))
        after = Client().get(verify, {"c": issued.text})

    for response in (scanned, pasted):
        html = response.content.decode()
        assert response.status_code == 200 and 'data-status="valid"' in html
        assert "Nguyễn Thị Hoa" in html and "12345678" in html and "02/03/2027" in html
    assert 'data-status="revoked"' in after.content.decode()
    assert "Do not accept this card." in after.content.decode()
    assert after["Cache-Control"] == "no-store"


def test_the_published_files_are_public_and_verify(hoa, tree, tmp_path):
    MemberFactory(organisation=tree["a1"], card_number="99999999", status=MemberStatus.EXPELLED)
    issued = issued_on(hoa)
    anonymous = Client()

    bundle = anonymous.get(reverse("handbook:card_keys"))
    pem = anonymous.get(reverse("handbook:card_public_key"))
    revocations = anonymous.get(reverse("handbook:card_revocations"))

    assert bundle.status_code == pem.status_code == revocations.status_code == 200
    assert "public" in bundle["Cache-Control"]
    keys = KeySet.from_json(bundle.json())
    assert set(keys) == set(KeySet.from_pem(pem.content)) == {payload_of(issued.text)["kid"]}
    assert revocations.json()["revoked"] == ["99999999"]
    assert card.verify(issued.text, keys, bundle.json()["revocations"], ISSUE_DAY).is_valid
    assert card.verify(issued.text, keys, revocations.content, ISSUE_DAY).is_valid


def test_a_key_set_with_a_wrong_key_id_is_refused(hoa):
    issued_on(hoa)
    entries = card.published_keys().to_json()
    entries[0]["kid"] = "0" * 16

    with pytest.raises(card.CardError, match="does not match"):
        KeySet.from_json({"keys": entries})


# --- command line ------------------------------------------------------------------------------


def test_the_command_line_exit_codes(hoa, tmp_path):
    issued = issued_on(hoa)
    publish(tmp_path)
    pem, revocations = str(tmp_path / "public-key.pem"), str(tmp_path / "revocations.json")
    payload = {**payload_of(issued.text), "exp": "2099-12-31"}
    altered = f"DSC1.{b64(signed_payloads.canonical_json(payload))}.{issued.text.split('.')[2]}"
    (tmp_path / "garbage.pem").write_text("not a key")

    with time_machine.travel(datetime.datetime(2026, 3, 5, 9, tzinfo=HANOI), tick=False):
        valid = run_cli("verify", "--keys", pem, "--revocations", revocations, issued.text)
        bundle = run_cli("verify", "--keys", str(tmp_path / "card-keys.json"), issued.url)
        server = run_cli("verify", issued.text)
        bad = run_cli("verify", "--keys", pem, "--revocations", revocations, altered)
        nonsense = run_cli("verify", "--keys", pem, "--revocations", revocations, "xyz")
        no_list = run_cli("verify", "--keys", pem, issued.text)
        no_file = run_cli("verify", "--keys", str(tmp_path / "missing.pem"), issued.text)
        bad_keys = run_cli("verify", "--keys", str(tmp_path / "garbage.pem"), issued.text)

    assert valid[0] == bundle[0] == server[0] == 0
    assert "Revocation list of" in valid[1]
    assert bad[0] == 1 and "Invalid signature" in bad[1] and "Nguyễn" not in bad[1]
    assert nonsense[0] == 1 and "not an electronic party card code" in nonsense[1]
    assert no_list[0] == 2 and "--revocations" in no_list[2]
    assert no_file[0] == 2 and "missing.pem" in no_file[2]
    assert bad_keys[0] == 2 and "neither a PEM public key" in bad_keys[2]
    with pytest.raises(CommandError):
        call_command("card", "verify")  # no text: argparse's usage error
