"""Who hears of something in the handbook, and telling them (in the app, and by e-mail)."""

from typing import Any

from dangso.core.notifications import notify
from dangso.handbook.models import MemberAccount
from dangso.members.choices import PORTAL_STATUSES
from dangso.orgs.models import Organisation


def subtree_accounts(organisation: Organisation) -> Any:
    """The handbook accounts of the members on the roll under `organisation`."""
    return MemberAccount.objects.filter(
        member__organisation__path__startswith=organisation.path,
        member__status__in=PORTAL_STATUSES,
    )


def notify_accounts(accounts: Any, subject: str, body: str, *, url: str, key: str) -> int:
    users = [account.user for account in accounts.select_related("user")]
    return notify(users, subject, body, url=url, key=key)
