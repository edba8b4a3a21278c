"""What waits for a person, declared by each app (`<app>/work.py`) and shown by the site on
the home page: documents to assign, tasks due, reports to approve, cases to handle …"""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class WorkItem:
    """One kind of waiting work, counted for one person: "3 documents to assign"."""

    area: str  # a key of `core.menu.AREAS`
    label: str | Promise
    count: int
    url: str  # the list behind the count, already filtered to these items
    overdue: int = 0  # how many of them are past their deadline
