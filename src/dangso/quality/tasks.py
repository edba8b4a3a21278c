"""Background jobs of data quality, run by the database queue's worker."""

from typing import Any

from django_tasks import task

from dangso.core.audit import Actor
from dangso.orgs.models import Organisation
from dangso.quality import actions


@task()
def check_subtree(
    organisation_id: int, user_id: int | None, actor_name: str, address: str = ""
) -> dict[str, Any]:
    """ "Check now" for a subtree too big to check within the request."""
    organisation = Organisation.objects.get(pk=organisation_id)
    actor = Actor(user_id=user_id, name=actor_name, address=address)
    result = actions.check_scope(organisation, actor=actor)
    return {"members": result.members, "unclean": result.unclean, "seconds": result.seconds}


@task()
def check_everything() -> dict[str, Any]:
    """The nightly run: every record re-checked, the day's figures, the duplicates search."""
    actor = Actor.system("nightly")
    checked = actions.check_all(actor=actor)
    rows = actions.snapshot_quality()
    found = actions.find_duplicates_audited(actor=actor)
    return {
        "members": checked.members,
        "unclean": checked.unclean,
        "snapshot_rows": rows,
        "pairs": found.found,
        "new_pairs": found.new,
    }
