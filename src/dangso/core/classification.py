"""Secrecy marks (độ mật) of documents and records: không mật, Mật, Tối mật, Tuyệt mật.

Confidentiality is a rule of the whole platform (DESIGN rule 3), not of one app: files are
encrypted at rest by their class, and a deployment refuses anything above
``DANGSO_MAX_CLASSIFICATION``. Sources: Luật Bảo vệ bí mật nhà nước 2018; domain.md §4.3.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    """Secrecy marks, in rising order (the values are those of DANGSO_MAX_CLASSIFICATION)."""

    UNCLASSIFIED = "khong_mat", _("Unclassified")
    SECRET = "mat", _("Secret (Mật)")
    TOP_SECRET = "toi_mat", _("Top secret (Tối mật)")
    MOST_SECRET = "tuyet_mat", _("Most secret (Tuyệt mật)")


CLASSIFICATION_RANK = {value: rank for rank, value in enumerate(Classification.values)}
