import pytest

from dangso.accounts.models import RoleAssignment
from dangso.members.demo import load_demo
from dangso.reports.choices import SubmissionStatus
from dangso.reports.demo import load_report_demo
from dangso.reports.models import Submission
from dangso.reports.queries import dashboard_progress


@pytest.mark.django_db
def test_report_demo_fills_most_of_the_last_quarter():
    load_demo(members=400, seed=204)
    summary = load_report_demo(seed=204)
    assert summary.expected > 5
    assert summary.submitted >= summary.expected // 2
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert {
        SubmissionStatus.APPROVED,
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.DRAFT,
    } <= statuses
    leader = RoleAssignment.objects.get(user__username="lanhdao.tinh")
    (progress,) = dashboard_progress(leader.user, leader.organisation)
    assert progress.expected == summary.expected
    assert progress.received == summary.submitted - 1  # one was returned
