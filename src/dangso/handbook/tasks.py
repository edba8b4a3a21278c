"""Background jobs of the handbook, run by `dangso worker` from the database queue."""

from django_tasks import task


@task()
def tell_subtree_task(organisation_id: int, subject: str, body: str, url: str, key: str) -> int:
    """Notices to a large audience (a province's members), written outside the request."""
    from dangso.handbook.notices import notify_accounts, subtree_accounts
    from dangso.orgs.models import Organisation

    organisation = Organisation.objects.get(pk=organisation_id)
    return notify_accounts(subtree_accounts(organisation), subject, body, url=url, key=key)
