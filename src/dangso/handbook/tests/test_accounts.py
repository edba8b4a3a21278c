import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dangso.core.models import AuditEntry
from dangso.handbook.models import ActivationCode, MemberAccount
from dangso.handbook.tests.conftest import PASSWORD
from dangso.members.choices import MemberStatus

pytestmark = pytest.mark.django_db


def _codes(secretary_client, tree, member):
    page = secretary_client.post(
        reverse("handbook:accounts"), {"cell": tree["a1"].pk, "members": [member.pk]}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert member.full_name in text and "Phiếu mã kích hoạt" in text
    code = text.split("data-code>")[1].split("<")[0]
    return code


def test_the_secretary_gives_a_code_and_the_member_activates_then_signs_in_by_number(
    secretary_client, people, tree
):
    member = people["member"]
    code = _codes(secretary_client, tree, member)
    assert len(code) == 9 and ActivationCode.objects.filter(member=member).count() == 1
    assert code not in ActivationCode.objects.get(member=member).code_hash  # only a hash kept
    client = Client()
    # Wrong code: a clear message, nothing created, what was typed kept.
    bad = client.post(
        reverse("handbook:activate"),
        {
            "number": member.cccd,
            "code": "AAAA-AAAA",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert bad.status_code == 200
    assert "Số định danh hoặc mã kích hoạt không đúng" in bad.content.decode()
    assert member.cccd in bad.content.decode()
    assert not MemberAccount.objects.exists()
    # Too weak a password: refused on its field.
    weak = client.post(
        reverse("handbook:activate"),
        {"number": member.cccd, "code": code, "password": "123", "password_again": "123"},
    )
    assert weak.status_code == 200 and not MemberAccount.objects.exists()
    # The code, typed in lower case without its dash, and a good password.
    good = client.post(
        reverse("handbook:activate"),
        {
            "number": member.cccd,
            "code": code.replace("-", "").lower(),
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert good.status_code == 302 and good.url == reverse("handbook:home")
    home = client.get(reverse("handbook:home")).content.decode()
    assert member.full_name in home and member.cccd in home and "12345678" in home
    assert AuditEntry.objects.filter(action="handbook.activate").exists()
    # The code works once.
    again = Client().post(
        reverse("handbook:activate"),
        {"number": member.cccd, "code": code, "password": PASSWORD, "password_again": PASSWORD},
    )
    assert "không đúng" in again.content.decode()
    # Sign-in with the card number or the CCCD, on the ordinary sign-in page.
    for number in ("12345678", member.cccd):
        fresh = Client()
        signed = fresh.post(reverse("accounts:login"), {"username": number, "password": PASSWORD})
        assert signed.status_code == 302
        assert fresh.get("/").url == reverse("handbook:home")


def test_a_new_code_sets_a_new_password(secretary_client, people, tree, member_client):
    member = people["member"]
    code = _codes(secretary_client, tree, member)
    client = Client()
    client.post(
        reverse("handbook:activate"),
        {
            "number": "12345678",
            "code": code,
            "password": "Mật-khẩu-mới-2026!",
            "password_again": "Mật-khẩu-mới-2026!",
        },
    )
    assert Client().login(username="12345678", password="Mật-khẩu-mới-2026!")
    assert not Client().login(username="12345678", password=PASSWORD)


def test_codes_expire_and_lock_after_repeated_failures(secretary_client, people, tree):
    member = people["member"]
    code = _codes(secretary_client, tree, member)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=31)
    with time_machine.travel(later, tick=False):
        expired = Client().post(
            reverse("handbook:activate"),
            {"number": member.cccd, "code": code, "password": PASSWORD, "password_again": PASSWORD},
        )
        assert "hết hạn" in expired.content.decode()
    code = _codes(secretary_client, tree, member)
    for _attempt in range(5):
        Client().post(
            reverse("handbook:activate"),
            {
                "number": member.cccd,
                "code": "BBBB-BBBB",
                "password": PASSWORD,
                "password_again": PASSWORD,
            },
        )
    locked = Client().post(
        reverse("handbook:activate"),
        {"number": member.cccd, "code": code, "password": PASSWORD, "password_again": PASSWORD},
    )
    assert "quá nhiều lần" in locked.content.decode()
    assert not MemberAccount.objects.exists()


def test_exempt_members_get_no_code_and_other_cells_are_out_of_reach(
    secretary_client, people, tree
):
    member = people["member"]
    member.status = MemberStatus.EXEMPT
    member.save()
    page = secretary_client.post(
        reverse("handbook:accounts"), {"cell": tree["a1"].pk, "members": [member.pk]}
    )
    assert not ActivationCode.objects.exists()
    assert page.status_code == 200
    # Cell b1 is not the secretary's.
    assert (
        secretary_client.get(reverse("handbook:accounts"), {"cell": tree["b1"].pk}).status_code
        == 404
    )


def test_a_member_may_add_an_authenticator_and_is_then_asked_for_its_code(people, member_client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dangso.testing.browser import totp_code

    member = people["member"]
    member.refresh_from_db()
    # Without an authenticator, the password is enough.
    client = Client()
    client.post(reverse("accounts:login"), {"username": member.cccd, "password": PASSWORD})
    assert client.get(reverse("handbook:home")).status_code == 200
    device = TOTPDevice.objects.create(user=member.user, name="điện thoại", confirmed=True)
    client = Client()
    client.post(reverse("accounts:login"), {"username": member.cccd, "password": PASSWORD})
    asked = client.get(reverse("handbook:home"))
    assert asked.status_code == 302 and asked.url.startswith(reverse("accounts:mfa"))
    client.post(reverse("accounts:mfa"), {"token": totp_code(device)})
    assert client.get(reverse("handbook:home")).status_code == 200
