"""Background jobs of the handbook, run by `dangso worker` from the database queue."""

from django_tasks import task


@task()
def tell_members_task(publication_id: int) -> int:
    """Notices of a new library document to a large audience (a province's members)."""
    from dangso.handbook.actions import _tell
    from dangso.handbook.models import MemberAccount, Publication
    from dangso.handbook.portal import PORTAL_STATUSES

    publication = Publication.objects.select_related("organisation").get(pk=publication_id)
    accounts = MemberAccount.objects.filter(
        member__organisation__path__startswith=publication.organisation.path,
        member__status__in=PORTAL_STATUSES,
    )
    return _tell(publication, accounts)
