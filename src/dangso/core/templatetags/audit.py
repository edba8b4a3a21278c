from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from dangso.core import audit
from dangso.core.models import AuditEntry

register = template.Library()


@register.filter
def field_label(entry: AuditEntry, field: str) -> str:
    """The verbose name of a changed field, in the reader's language; the raw name otherwise."""
    try:
        model = apps.get_model(entry.object_type)
        found = model._meta.get_field(field)
    except (LookupError, ValueError, FieldDoesNotExist):
        return field
    # A reverse relation (e.g. a report's "values") has no verbose name of its own.
    return str(getattr(found, "verbose_name", field))


@register.filter
def action_label(action: str) -> str:
    return audit.action_label(action)
