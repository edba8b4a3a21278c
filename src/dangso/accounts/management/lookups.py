from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def user_named(username: str) -> User:
    """The user of that name, or a command error that says there is none."""
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(_("No user named %(username)s.") % {"username": username}) from None
