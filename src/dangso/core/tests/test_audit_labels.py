from django.utils import translation

from dangso.core.models import AuditEntry
from dangso.core.templatetags.audit import field_label


def test_field_labels_in_the_readers_language_or_the_raw_name():
    entry = AuditEntry(object_type="followup.task")
    with translation.override("vi"):
        assert field_label(entry, "deadline") != "deadline"
    # Not a field, a reverse relation without a verbose name, an unknown model: the raw name.
    assert field_label(entry, "files") == "files"
    assert field_label(AuditEntry(object_type="reports.submission"), "values") == "values"
    assert field_label(AuditEntry(object_type="nowhere.thing"), "x") == "x"
