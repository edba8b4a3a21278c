"""Forms of the import pages: the upload, and the choice of columns."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangso.imports.columns import COLUMNS
from dangso.imports.pipeline import importable_organisations
from dangso.orgs.models import Organisation


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (.xlsx or .csv)"),
        allow_empty_file=True,  # refused by the reader, with the same message as everywhere
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    organisation = _OrganisationChoice(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Every row must belong to a Party cell under this organisation."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = importable_organisations(user).order_by("path")


class MappingForm(forms.Form):
    """One select per column of our list, offering the file's header cells."""

    def __init__(
        self, *args: Any, headers: Sequence[str], initial_mapping: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("— not in the file —"))] + [
            (str(index), header or _("(column %(n)s, no header)") % {"n": index + 1})
            for index, header in enumerate(headers)
        ]
        for column in COLUMNS:
            self.fields[column.field] = forms.TypedChoiceField(
                label=column.header,
                choices=options,
                coerce=int,
                empty_value=None,
                required=column.required,
                initial=initial_mapping.get(column.field),
                help_text=column.help,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        used: dict[int, str] = {}
        for name, index in list(data.items()):
            if index is None:
                continue
            if index in used:
                self.add_error(name, _("This column is already chosen for another field."))
            used[index] = name
        return data

    def mapping(self) -> dict[str, int]:
        return {name: index for name, index in self.cleaned_data.items() if index is not None}
