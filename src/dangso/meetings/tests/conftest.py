import datetime

import pytest
from django.utils import timezone

from dangso.core.audit import Actor
from dangso.meetings import actions
from dangso.testing.factories import MemberFactory, RoleFactory, UserFactory

# The clock of most tests: Sunday 13/12/2026, 09:00 in Hà Nội; the meeting is the next evening.
NOW = (2026, 12, 13, 9, 0)
STARTS = (2026, 12, 14, 19, 30)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


@pytest.fixture
def clock(time_machine):
    """The clock stopped at NOW; `clock.move_to(local(...))` moves it."""
    time_machine.move_to(local(*NOW), tick=False)
    return time_machine


@pytest.fixture
def people(tree):
    """Cell a1's secretary and members (two with handbook accounts), the commune leader above
    it, and a member and the secretary of cell b1 in the other commune."""

    def user(name, org=None, role=None):
        person = UserFactory(username=name, email=f"{name}@dang.vn")
        if role:
            RoleFactory(user=person, organisation=org, role=role)
        return person

    members = {
        "lan": MemberFactory(
            organisation=tree["a1"], full_name="Nguyễn Thị Lan", sex="F", user=user("lan")
        ),
        "binh": MemberFactory(
            organisation=tree["a1"], full_name="Trần Văn Bình", sex="M", user=user("binh")
        ),
        "cuong": MemberFactory(organisation=tree["a1"], full_name="Lê Văn Cường", sex="M"),
        "other": MemberFactory(
            organisation=tree["b1"], full_name="Đinh Thị Hoa", sex="F", user=user("hoa")
        ),
    }
    return {
        **members,
        "secretary": user("bithu.a1", tree["a1"], "cell_secretary"),
        "secretary_b1": user("bithu.b1", tree["b1"], "cell_secretary"),
        "leader": user("lanhdao.xa", tree["a"], "leader"),
        "leader_b": user("lanhdao.xb", tree["b"], "leader"),
    }


@pytest.fixture
def sec_actor(people):
    return Actor.for_user(people["secretary"])


@pytest.fixture
def make_meeting(tree, sec_actor):
    """A meeting of cell a1 (or `cell`) at STARTS, scheduled at the current clock."""

    def make(cell=None, kind="regular", starts_at=None, **data):
        return actions.schedule(
            {
                "kind": kind,
                "title": data.pop("title", "Sinh hoạt chi bộ định kỳ tháng 12/2026"),
                "starts_at": starts_at or local(*STARTS),
                "place": "Nhà văn hóa thôn Đông",
                "agenda": "1. Điểm danh\n2. Thông tin thời sự",
                **data,
            },
            cell=cell or tree["a1"],
            actor=sec_actor,
        )

    return make
