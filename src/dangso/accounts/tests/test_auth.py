import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangso.core.models import AuditEntry
from dangso.testing.factories import RoleFactory, UserFactory

PASSWORD = "mat-khau-thu-nghiem-204"


def _login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_wrong_password_is_refused_and_audited(client, db):
    user = UserFactory()
    response = _login(client, user.username, "sai-mat-khau")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == 1


def test_account_locks_after_repeated_failures(client, db, settings):
    settings.DANGSO_LOGIN_MAX_FAILURES = 3
    user = UserFactory()
    for _ in range(3):
        _login(client, user.username, "sai-mat-khau")
    response = _login(client, user.username)  # the right password, but locked
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()[0].startswith(("Too many", "Đăng nhập sai"))


def test_member_reader_must_enrol_and_give_a_totp_code(client, tree):
    role = RoleFactory(organisation=tree["a"], role="organisation")
    response = _login(client, role.user.username)
    assert response.status_code == 302
    assert client.get(reverse("members:list")).url.startswith(reverse("accounts:mfa"))
    page = client.get(reverse("accounts:mfa"))
    assert page.context["enrolling"] and page.context["qr_data_uri"].startswith("data:image/png")
    device = TOTPDevice.objects.get(user=role.user)
    wrong = client.post(
        reverse("accounts:mfa"), {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.context["form"].errors
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a second try wait after a wrong code
    done = client.post(reverse("accounts:mfa"), {"token": _code(device), "next": "/members/"})
    assert done.status_code == 302 and done.url == "/members/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("members:list")).status_code == 200


def test_role_without_member_access_needs_no_second_factor(client, tree):
    role = RoleFactory(organisation=tree["a"], role="office")
    _login(client, role.user.username)
    assert client.get(reverse("site:home")).status_code == 200


def test_mfa_can_be_switched_off_for_a_demo(client, tree, settings):
    settings.DANGSO_MFA_REQUIRED = False
    role = RoleFactory(organisation=tree["a"], role="organisation")
    _login(client, role.user.username)
    assert client.get(reverse("members:list")).status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_login_never_redirects_off_site(client, db, target):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD, "next": target}
    )
    assert response.url == "/"


def test_weak_new_password_is_refused_in_vietnamese(client, db):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert "quá ngắn" in errors or "phổ biến" in errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_with_a_strong_password(client, db):
    user = UserFactory()
    client.force_login(user)
    strong = "Chi-bo-thon-Dong-2026"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)
