from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dangso.accounts import actions
from dangso.core.audit import Actor


class LoginForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, request: HttpRequest, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if not username or not password:
            return data
        actor = Actor(user_id=None, name=username, address=Actor.from_request(self.request).address)
        if actions.is_locked_out(username):
            raise forms.ValidationError(
                _("Too many failed sign-ins. The account is locked for a while; try again later."),
                code="locked",
            )
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            actions.record_login_failure(username, actor)
            raise forms.ValidationError(
                _("The user name or password is wrong."), code="invalid_login"
            )
        self.user = user
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()
