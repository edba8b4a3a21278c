"""Notices go out by e-mail through a real SMTP server when one is configured."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import get_connection

from dangso.core.notifications import notify
from dangso.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


class Sink:
    """A local SMTP server keeping what it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    sink = Sink()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.DANGSO_EMAIL_ENABLED = True
    settings.DANGSO_BASE_URL = "https://dangso.example.vn"
    yield sink
    controller.stop()


def test_a_notice_is_mailed_in_vietnamese_with_its_link(smtp, django_capture_on_commit_callbacks):
    member = UserFactory(email="hoa@example.vn")
    no_address = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        told = notify([member, no_address], "Tài liệu mới: Nghị quyết số 57-NQ/TW",
                      "Do Đảng ủy xã đăng.", url="/handbook/library/7/")  # fmt: skip
    assert told == 2  # both are told in the app
    assert len(smtp.messages) == 1  # only one has an address
    message = smtp.messages[0]
    assert message["To"] == "hoa@example.vn"
    assert str(message["Subject"]).strip() == "Tài liệu mới: Nghị quyết số 57-NQ/TW"
    body = message.get_content()
    assert "Do Đảng ủy xã đăng." in body and "https://dangso.example.vn/handbook/library/7/" in body
    assert member.notifications.get().emailed
    get_connection().close()


def test_a_mail_server_that_is_down_never_breaks_the_action(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.DANGSO_EMAIL_ENABLED = True
    user = UserFactory(email="a@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([user], "Nhắc việc") == 1
    notice = user.notifications.get()
    assert notice.subject == "Nhắc việc" and not notice.emailed
