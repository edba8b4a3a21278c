"""Form pieces shared by the apps: dd/mm/yyyy date inputs and showing an action's refusal.

Forms only parse what a person typed; the rules live in the actions, which raise
`ValidationError`. `show_errors()` puts those messages back on the form, each on its field
when the form has it, so the page re-renders with what was typed and the reason beside it.
"""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class DateInput(forms.TextInput):
    """A plain text box for dd/mm/yyyy: browsers' date pickers ignore the Vietnamese order."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off", **(attrs or {})}
        )


def date_field(**kwargs: Any) -> forms.DateField:
    """A date field read in the active language's DATE_INPUT_FORMATS (dd/mm/yyyy first)."""
    return forms.DateField(widget=DateInput(), **kwargs)


def show_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Add an action's ValidationError to `form`: on its fields, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.error_dict.items():
        if field in form.fields or field == NON_FIELD_ERRORS:
            form.add_error(None if field == NON_FIELD_ERRORS else field, messages)
            continue
        label = _label(form, field)
        form.add_error(None, [f"{label}: {text}" for text in ValidationError(messages).messages])


def _label(form: forms.BaseForm, field: str) -> str:
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        try:
            return capfirst(str(model._meta.get_field(field).verbose_name))
        except FieldDoesNotExist:
            pass
    return field


class ParseOnlyModelForm(forms.ModelForm):
    """A ModelForm that parses and leaves the record untouched.

    Model validation (`Model.clean()`, uniqueness) runs once, in the action that writes, so a
    refusal comes back the same way from a form, the API or an import.
    """

    def _post_clean(self) -> None:
        return


MAX_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; each is checked by `core.files` in the action."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(items) > MAX_FILES:
            raise ValidationError(_("Attach at most %(n)d files at once.") % {"n": MAX_FILES})
        if self.required and not items:
            raise ValidationError(self.error_messages["required"])
        return [item for item in items if item]
