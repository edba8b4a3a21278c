import pytest
from django import forms
from django.core.exceptions import ValidationError

from dangso.core.forms import show_errors


class _Form(forms.Form):
    name = forms.CharField()


@pytest.mark.parametrize(
    "error, field_errors, top_errors",
    [
        (ValidationError("Refused."), {}, ["Refused."]),
        (ValidationError({"name": "Too short."}), {"name": ["Too short."]}, []),
        (ValidationError({"cell": "Choose a cell."}), {}, ["cell: Choose a cell."]),
        (
            ValidationError({"__all__": "Whole record.", "name": ["A.", "B."]}),
            {"name": ["A.", "B."]},
            ["Whole record."],
        ),
    ],
)
def test_show_errors_puts_each_message_on_its_field_or_above_the_form(
    error, field_errors, top_errors
):
    form = _Form({"name": "An"})
    assert form.is_valid()
    show_errors(form, error)
    assert list(form.non_field_errors()) == top_errors
    assert {name: list(errors) for name, errors in form.errors.items() if name != "__all__"} == (
        field_errors
    )
