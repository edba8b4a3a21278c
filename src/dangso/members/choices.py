from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary member")
    OFFICIAL = "official", _("Official member")
    EXEMPT = "exempt", _("Exempt from Party work and activities")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    REMOVED = "removed", _("Removed from the list")
    EXPELLED = "expelled", _("Expelled")
    DECEASED = "deceased", _("Deceased")
    MERGED = "merged", _("Merged into another record")


# Statuses of members who still belong to a cell's roll (counted, listed by default).
ON_ROLL = frozenset({MemberStatus.PROBATIONARY, MemberStatus.OFFICIAL, MemberStatus.EXEMPT})
# Who uses the member handbook and is convened to cell meetings: official and probationary
# members (Quy định 339-QĐ/TW; exempt members are left out).
PORTAL_STATUSES = frozenset({MemberStatus.OFFICIAL, MemberStatus.PROBATIONARY})


class EventKind(models.TextChoices):
    ADMITTED = "admitted", _("Admission")
    RECEIVED = "received", _("Received by official transfer")
    MADE_OFFICIAL = "made_official", _("Recognised as official member")
    TRANSFERRED = "transferred", _("Official transfer within the system")
    TRANSFERRED_OUT = "transferred_out", _("Official transfer out")
    TEMPORARY_OUT = "temporary_out", _("Temporary transfer")
    TEMPORARY_RETURN = "temporary_return", _("Return from temporary transfer")
    EXEMPTED = "exempted", _("Exemption from Party work and activities")
    EXEMPTION_ENDED = "exemption_ended", _("End of exemption")
    REWARDED = "rewarded", _("Reward")
    DISCIPLINED = "disciplined", _("Discipline")
    REMOVED = "removed", _("Removal from the list")
    EXPELLED = "expelled", _("Expulsion")
    DIED = "died", _("Death")
    REORGANISED = "reorganised", _("Moved by reorganisation")
    MERGED = "merged", _("Duplicate record merged")


class Religion(models.TextChoices):
    NONE = "none", _("None")
    BUDDHISM = "buddhism", _("Buddhism")
    CATHOLICISM = "catholicism", _("Catholicism")
    PROTESTANTISM = "protestantism", _("Protestantism")
    CAODAISM = "caodaism", _("Cao Dai")
    HOAHAO = "hoahao", _("Hoa Hao Buddhism")
    ISLAM = "islam", _("Islam")
    OTHER = "other", _("Other")


class Qualification(models.TextChoices):
    NONE = "none", _("None")
    ELEMENTARY = "elementary", _("Elementary vocational")
    INTERMEDIATE = "intermediate", _("Intermediate")
    COLLEGE = "college", _("College")
    BACHELOR = "bachelor", _("University")
    MASTER = "master", _("Master")
    DOCTOR = "doctor", _("Doctorate")


class TheoryLevel(models.TextChoices):
    NONE = "none", _("None")
    ELEMENTARY = "elementary", _("Elementary")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    BACHELOR = "bachelor", _("Bachelor of political science")


# The 54 ethnic groups of Viet Nam with the codes of the official list (Tổng cục Thống kê).
# Proper names: not translated.
ETHNICITIES: list[tuple[str, str]] = [
    ("01", "Kinh"), ("02", "Tày"), ("03", "Thái"), ("04", "Hoa"), ("05", "Khmer"),
    ("06", "Mường"), ("07", "Nùng"), ("08", "Mông"), ("09", "Dao"), ("10", "Gia Rai"),
    ("11", "Ngái"), ("12", "Ê Đê"), ("13", "Ba Na"), ("14", "Xơ Đăng"), ("15", "Sán Chay"),
    ("16", "Cơ Ho"), ("17", "Chăm"), ("18", "Sán Dìu"), ("19", "Hrê"), ("20", "Mnông"),
    ("21", "Ra Glai"), ("22", "Xtiêng"), ("23", "Bru - Vân Kiều"), ("24", "Thổ"),
    ("25", "Giáy"), ("26", "Cơ Tu"), ("27", "Giẻ Triêng"), ("28", "Mạ"), ("29", "Khơ Mú"),
    ("30", "Co"), ("31", "Tà Ôi"), ("32", "Chơ Ro"), ("33", "Kháng"), ("34", "Xinh Mun"),
    ("35", "Hà Nhì"), ("36", "Chu Ru"), ("37", "Lào"), ("38", "La Chí"), ("39", "La Ha"),
    ("40", "Phù Lá"), ("41", "La Hủ"), ("42", "Lự"), ("43", "Lô Lô"), ("44", "Chứt"),
    ("45", "Mảng"), ("46", "Pà Thẻn"), ("47", "Cơ Lao"), ("48", "Cống"), ("49", "Bố Y"),
    ("50", "Si La"), ("51", "Pu Péo"), ("52", "Brâu"), ("53", "Ơ Đu"), ("54", "Rơ Măm"),
]  # fmt: skip


# Age bands of the member figures: (key, youngest, oldest or None).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_30", 0, 29),
    ("30_45", 30, 45),
    ("46_60", 46, 60),
    ("over_60", 61, None),
)


class FlagKind(models.TextChoices):
    """Grounds recorded against a member by the app that holds the facts, for the committee to
    consider (xóa tên, Điều lệ Đảng Art. 8; domain.md §2.4): the fee rule counts months
    unpaid, the cell meetings count months missed without a reason."""

    FEES_UNPAID = "fees_unpaid", _("Party fees not paid")
    MEETINGS_MISSED = "meetings_missed", _("Cell meetings missed without a reason")
