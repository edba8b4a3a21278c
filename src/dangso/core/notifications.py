"""Notices to users: in the app always, by e-mail when the deployment configures SMTP.

Apps call `notify()` inside the transaction of the event it tells of; the e-mail goes out
after the commit, so a refused action never mails anyone. A failing mail server never breaks
the action: the notice stays in the app and is marked not e-mailed.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connections, transaction
from django.utils import translation

from dangso.core.models import Notification

logger = logging.getLogger(__name__)


def notify(
    users: Iterable[Any], subject: Any, body: Any = "", *, url: str = "", key: str = ""
) -> int:
    """Tell each of `users` (deduplicated, inactive skipped); returns how many were told.

    `subject` and `body` may be lazy translations: they are written in the platform's
    language. With a `key`, a user already told under that key is not told again.
    """
    with translation.override(settings.LANGUAGE_CODE):
        subject_text, body_text = str(subject)[:200], str(body)
    told: list[Notification] = []
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notice = Notification(user=user, subject=subject_text, body=body_text, url=url, key=key)
        if key:
            try:
                with transaction.atomic():
                    notice.save()
            except IntegrityError:
                continue
        else:
            notice.save()
        told.append(notice)
    if told and settings.DANGSO_EMAIL_ENABLED:
        ids = [notice.pk for notice in told]
        transaction.on_commit(lambda: send_emails(ids))
    return len(told)


def send_emails(notification_ids: list[int]) -> int:
    """E-mail the given notices to users with an address; returns how many were sent."""
    sent = 0
    notices = Notification.objects.filter(pk__in=notification_ids, emailed=False).select_related(
        "user"
    )
    for notice in notices:
        if not notice.user.email:
            continue
        link = f"{settings.DANGSO_BASE_URL}{notice.url}" if notice.url else ""
        text = "\n\n".join(part for part in (notice.body, link) if part)
        try:
            send_mail(notice.subject, text, None, [notice.user.email])
        except OSError:
            logger.warning("e-mail to %s failed", notice.user.email, exc_info=True)
            continue
        Notification.objects.filter(pk=notice.pk).update(emailed=True)
        sent += 1
    return sent


def unread_count(user: Any) -> int:
    """The user's unread notices: the bell of every page, so one plain indexed count
    (`notification_unread`), without building an ORM query each time."""
    if not user.is_authenticated:
        return 0
    with connections[Notification.objects.db].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {Notification._meta.db_table} "
            "WHERE user_id = %s AND read_at IS NULL",
            [user.pk],
        )
        return int(cursor.fetchone()[0])
