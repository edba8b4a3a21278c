import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from dangso.core.audit import Actor
from dangso.core.models import AuditEntry, Notification
from dangso.followup import actions
from dangso.followup.choices import TaskStatus
from dangso.followup.models import Evidence, ProgressUpdate, Task
from dangso.followup.queries import visible_tasks
from dangso.testing.documents import pdf_bytes
from dangso.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _actor(user):
    return Actor(user.pk, user.username)


def _assign(tree, communes, people, deadline, **extra):
    data = {
        "title": "Triển khai Nghị quyết 57-NQ/TW về chuyển đổi số",
        "deadline": deadline,
        "source_text": "Nghị quyết số 57-NQ/TW",
        **extra,
    }
    return actions.assign(
        data, organisation=tree["province"], assignees=communes, actor=_actor(people["province"])
    )


def test_assigning_to_three_communes_makes_a_task_with_three_sub_tasks(
    tree, communes, people, in_ten_days
):
    task = _assign(tree, communes, people, in_ten_days)
    children = list(task.children.order_by("organisation__code"))
    assert [child.organisation for child in children] == communes
    assert all(
        child.deadline == in_ten_days and child.assigned_by == tree["province"]
        for child in children
    )
    assert task.status == TaskStatus.NOT_STARTED and task.progress == 0
    assert AuditEntry.objects.filter(action="task.assign", object_id=str(task.pk)).exists()
    assert AuditEntry.objects.filter(action="task.delegate").count() == 3
    # The commune's office is told of its new task.
    assert Notification.objects.filter(
        user=people["commune"], subject__contains="57-NQ/TW"
    ).exists()


def test_progress_rolls_up_through_delegation(tree, communes, people, in_ten_days):
    task = _assign(tree, communes, people, in_ten_days)
    commune_task = task.children.get(organisation=tree["a"])
    cells = actions.delegate(
        commune_task, [tree["a1"], tree["a2"]], actor=_actor(people["commune"])
    )
    actions.report_progress(
        cells[0], percent="100", note="Đã hoàn thành tập huấn", actor=_actor(people["cell"])
    )
    actions.report_progress(
        cells[1], percent="50", note="Đang triển khai", actor=_actor(people["cell2"])
    )
    commune_task.refresh_from_db()
    task.refresh_from_db()
    assert commune_task.progress == 75
    assert commune_task.status == TaskStatus.IN_PROGRESS
    assert task.progress == 25  # (75 + 0 + 0) / 3
    # Finishing every sub-task finishes the parents, on the day the last one finished.
    actions.report_progress(cells[1], percent=100, note="Xong", actor=_actor(people["cell2"]))
    commune_task.refresh_from_db()
    assert commune_task.completed_on == datetime.date.today()
    assert commune_task.status == TaskStatus.DONE_ON_TIME and commune_task.progress == 100


def test_status_follows_the_clock_never_stored(tree, communes, people, in_ten_days):
    task = _assign(tree, communes, people, in_ten_days)
    commune_task = task.children.get(organisation=tree["b"])
    actions.report_progress(commune_task, percent=40, note="", actor=_actor(people["commune_b"]))
    commune_task.refresh_from_db()
    assert commune_task.status == TaskStatus.IN_PROGRESS
    with time_machine.travel(in_ten_days + datetime.timedelta(days=1), tick=False):
        assert commune_task.status == TaskStatus.OVERDUE
        overdue = Task.objects.filter(pk=commune_task.pk).annotate(s=_status()).get().s
        assert overdue == TaskStatus.OVERDUE
        # Done after the deadline: done late.
        actions.report_progress(
            commune_task, percent=100, note="Xong", actor=_actor(people["commune_b"])
        )
        commune_task.refresh_from_db()
        assert commune_task.status == TaskStatus.DONE_LATE


def _status():
    import django.utils.timezone

    from dangso.followup.queries import status_expression

    return status_expression(django.utils.timezone.localdate())


@pytest.mark.parametrize(
    ("percent", "note", "field"),
    [
        ("120", "x", "percent"),
        ("-5", "x", "percent"),
        ("abc", "x", "percent"),
        ("12.5", "x", "percent"),
        ("100", "", "note"),
    ],
)
def test_bad_progress_is_refused_and_nothing_written(
    tree, communes, people, in_ten_days, percent, note, field
):
    task = _assign(tree, communes, people, in_ten_days).children.get(organisation=tree["a"])
    with pytest.raises(ValidationError) as error:
        actions.report_progress(task, percent=percent, note=note, actor=_actor(people["commune"]))
    assert field in error.value.message_dict
    task.refresh_from_db()
    assert task.progress == 0 and task.started_on is None
    assert not ProgressUpdate.objects.exists()


def test_a_delegated_task_takes_no_progress_of_its_own(tree, communes, people, in_ten_days):
    task = _assign(tree, communes, people, in_ten_days)
    with pytest.raises(ValidationError, match="giao cho cấp dưới"):
        actions.report_progress(task, percent=10, note="", actor=_actor(people["province"]))


def test_a_file_that_is_not_what_it_says_is_refused(tree, communes, people, in_ten_days):
    task = _assign(tree, communes, people, in_ten_days).children.get(organisation=tree["a"])
    with pytest.raises(ValidationError):
        actions.report_progress(
            task,
            percent=30,
            note="Biên bản",
            actor=_actor(people["commune"]),
            uploads=[actions.Upload("bien-ban.pdf", b"MZ\x90\x00 not a pdf")],
        )
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()
    update = actions.report_progress(
        task,
        percent=30,
        note="Biên bản",
        actor=_actor(people["commune"]),
        uploads=[actions.Upload("bien-ban.pdf", pdf_bytes("Biên bản họp"))],
    )
    assert update.evidence.get().name == "bien-ban.pdf"
    assert actions.evidence_bytes(update.evidence.get()).startswith(b"%PDF")


@pytest.mark.parametrize("case", ["past", "later_than_parent", "sideways", "twice", "no_title"])
def test_bad_assignments_are_refused(tree, communes, people, in_ten_days, case):
    task = _assign(tree, communes, people, in_ten_days)
    commune_task = task.children.get(organisation=tree["a"])
    before = Task.objects.count()
    with pytest.raises(ValidationError):
        if case == "past":
            _assign(tree, communes, people, datetime.date.today() - datetime.timedelta(days=1))
        elif case == "later_than_parent":
            actions.delegate(
                commune_task,
                [tree["a1"]],
                actor=_actor(people["commune"]),
                deadline=in_ten_days + datetime.timedelta(days=1),
            )
        elif case == "sideways":  # a cell of another commune
            actions.delegate(commune_task, [tree["b1"]], actor=_actor(people["commune"]))
        elif case == "twice":
            actions.delegate(commune_task, [tree["a1"]], actor=_actor(people["commune"]))
            actions.delegate(commune_task, [tree["a1"]], actor=_actor(people["commune"]))
        else:
            _assign(tree, communes, people, in_ten_days, title="  ")
    assert Task.objects.count() == before + (1 if case == "twice" else 0)


def test_confidential_tasks_are_seen_only_by_those_granted(tree, communes, people, in_ten_days):
    task = _assign(tree, communes[:1], people, in_ten_days, confidential=True)
    creator, commune_clerk = people["province"], people["commune"]
    assert visible_tasks(creator).filter(pk=task.pk).exists()
    assert (
        not visible_tasks(commune_clerk)
        .filter(pk__in=[task.pk, *task.children.values_list("pk", flat=True)])
        .exists()
    )
    actions.grant(task, commune_clerk, actor=_actor(creator))
    assert visible_tasks(commune_clerk).filter(pk=task.children.get().pk).exists()
    assert AuditEntry.objects.filter(action="task.grant").exists()
    with pytest.raises(ValidationError):
        actions.grant(
            _assign(tree, communes[:1], people, in_ten_days), commune_clerk, actor=_actor(creator)
        )


def test_reminders_before_the_deadline_and_when_overdue(
    tree, communes, people, in_ten_days, settings, django_capture_on_commit_callbacks
):
    settings.DANGSO_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    task = _assign(tree, communes[:1], people, in_ten_days)
    commune_task = task.children.get()
    Notification.objects.all().delete()
    with time_machine.travel(in_ten_days - datetime.timedelta(days=2), tick=False):
        assert actions.send_reminders()["due"] >= 1
        assert actions.send_reminders()["due"] == 0  # once
    subjects = list(
        Notification.objects.filter(user=people["commune"]).values_list("subject", flat=True)
    )
    assert any("57-NQ/TW" in subject for subject in subjects)
    mail.outbox.clear()
    with (
        time_machine.travel(in_ten_days + datetime.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = actions.send_reminders()
    assert sent["overdue"] == 2  # the commune's task and the province's own
    notice = Notification.objects.filter(
        user=people["commune"], key=f"task:{commune_task.pk}:overdue"
    ).get()
    assert notice.url.endswith(f"/tasks/{commune_task.pk}/")
    # E-mail is configured here (locmem): sent after the commit, to the user's address, with
    # the link to the task.
    message = next(m for m in mail.outbox if people["commune"].email in m.to)
    assert "57-NQ/TW" in message.subject and notice.url in message.body
    notice.refresh_from_db()
    assert notice.emailed


def test_nobody_is_told_twice_under_one_key(tree):
    from dangso.core.notifications import notify

    user = UserFactory()
    assert notify([user, user], "Nhắc việc", key="k1") == 1
    assert notify([user], "Nhắc việc", key="k1") == 0


def test_reminders_look_up_each_organisations_people_once(tree, communes, people, in_ten_days):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(6):
        _assign(tree, communes[:1], people, in_ten_days, title=f"Nhiệm vụ số {number}")
    later = in_ten_days + datetime.timedelta(days=1)
    with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as queries:
        sent = actions.send_reminders()
    assert sent["overdue"] == 12  # six province tasks and six commune shares
    lookups = [q for q in queries.captured_queries if "accounts_roleassignment" in q["sql"]]
    # Two organisations (province, commune) × two capabilities, not a lookup per task.
    assert len(lookups) <= 4
