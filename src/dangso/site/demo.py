"""The demo, app by app: after the members and the tree (`members.demo`), each app's own
`demo.py` loads its part, in this order (an app may use what an earlier one made). Each step
takes the seed and returns the line the `dangso demo` command prints."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from dangso.documents.demo import load_document_demo
from dangso.followup.demo import load_followup_demo
from dangso.handbook.demo import load_handbook_demo
from dangso.meetings.demo import load_meeting_demo
from dangso.reports.demo import load_report_demo


def documents_step(seed: int) -> str:
    documents = load_document_demo(seed=seed)
    return _("%(count)s demonstration documents; demo signing certificates in %(folder)s.") % {
        "count": documents.documents,
        "folder": documents.certificates,
    }


def reports_step(seed: int) -> str:
    reports = load_report_demo(seed=seed)
    return _("%(submitted)s of %(expected)s demonstration reports submitted for “%(form)s”.") % {
        "submitted": reports.submitted,
        "expected": reports.expected,
        "form": reports.form.name,
    }


def handbook_step(seed: int) -> str:
    handbook = load_handbook_demo(seed=seed)
    return _("%(accounts)s handbook accounts, %(documents)s documents in the library.") % {
        "accounts": handbook.accounts,
        "documents": handbook.publications,
    }


def followup_step(seed: int) -> str:
    tasks = load_followup_demo(seed=seed)
    return _("%(tasks)s demonstration tasks with %(updates)s progress reports.") % {
        "tasks": tasks.tasks,
        "updates": tasks.updates,
    }


def meetings_step(seed: int) -> str:
    meetings = load_meeting_demo(seed=seed)
    return _("%(meetings)s demonstration cell meetings with %(rows)s attendance records.") % {
        "meetings": meetings.meetings,
        "rows": meetings.attendances,
    }


DEMO_STEPS: list[Callable[[int], str]] = [
    documents_step,
    reports_step,
    handbook_step,
    followup_step,
    meetings_step,
]
