import pytest
from django.contrib.auth.models import User

from dangso.core.models import Notification
from dangso.meetings.choices import MeetingStatus
from dangso.meetings.demo import load_meeting_demo
from dangso.meetings.models import Meeting
from dangso.meetings.queries import member_rate, upcoming_for_member
from dangso.members.demo import load_demo


@pytest.mark.django_db
def test_meeting_demo_gives_the_demo_member_a_history_and_a_coming_meeting():
    load_demo(members=400, seed=204)
    summary = load_meeting_demo(seed=204)
    assert summary.meetings == 4 and summary.attendances > 4
    held = Meeting.objects.filter(status=MeetingStatus.CLOSED, minutes_final=True)
    assert held.count() == 3
    assert all(meeting.duration_minutes >= meeting.minimum_minutes for meeting in held)
    member = User.objects.get(username="dangvien").member
    [coming] = upcoming_for_member(member)
    assert coming.status == MeetingStatus.PUBLISHED and coming.materials.count() == 2
    assert member_rate(member).expected == 3
    # Only the coming meeting's notices: none of the old meetings'.
    assert set(Notification.objects.filter(key__startswith="meeting:").values_list(
        "url", flat=True)) <= {f"/meetings/my/{coming.pk}/", f"/meetings/{coming.pk}/"}  # fmt: skip
    assert Notification.objects.filter(user__username="dangvien").count() == 1
