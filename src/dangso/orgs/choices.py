from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    """Kinds of Party organisation after the 2025 reorganisation (domain.md §3)."""

    CENTRAL = "central", _("Central Committee")
    PROVINCE = "province", _("Provincial/municipal Party committee")
    CENTRAL_AFFILIATE = (
        "central_affiliate",
        _("Party committee directly under the Central Committee"),
    )
    UPPER_GRASSROOTS = "upper_grassroots", _("Party committee above grassroots level")
    COMMUNE = "commune", _("Commune/ward/special-zone Party committee")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Grassroots Party committee")
    GRASSROOTS_CELL = "grassroots_cell", _("Grassroots Party cell")
    SUB_COMMITTEE = "sub_committee", _("Party sub-committee")
    CELL = "cell", _("Party cell")


# Members are recorded in cells (chi bộ trực thuộc or chi bộ cơ sở).
CELL_KINDS = frozenset({OrgKind.CELL, OrgKind.GRASSROOTS_CELL})


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged")
    DISSOLVED = "dissolved", _("Dissolved")
