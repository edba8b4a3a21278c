"""The permission matrix machinery (DESIGN rule 1), shared by every app's matrix.

Each app that has pages or API endpoints declares them in ``dangso/<app>/tests/test_matrix.py``
as `ENDPOINTS` (and the names open to everyone in `PUBLIC`), builds its `world` fixture with
an object of commune A whose text holds `SECRET_NAME`, and runs `run_case()` for each caller:
anonymous, signed in with no role, a role in scope (commune A), the same role over commune B.
`dangso/tests/test_permission_matrix.py` fails when a URL of the site is in no matrix.
"""

import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangso.accounts.actions import create_token
from dangso.core.audit import Actor
from dangso.testing.auth import login_verified
from dangso.testing.factories import RoleFactory, UserFactory

SECRET_NAME = "Quách Thị Diệu Linh"
SECRET_CCCD = "027185001111"
CALLERS = ["anonymous", "no_role", "in_scope", "out_of_scope"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str = "get"
    role: str = "organisation"  # the role that grants access
    target: str = ""  # the key in `world` of the object the URL names
    api: bool = False
    payload: dict[str, Any] = field(default_factory=dict)
    # A list or a create endpoint out of scope answers, but without the other commune's data.
    lists: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)  # fixed URL arguments
    redirects: bool = False  # in scope, a read answers with a redirect to the real page
    # URL arguments computed from the world, for targets named by more than one id.
    url_kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}"


def url_names(resolver: Any = None, namespace: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or ''}"


def app_matrices() -> list[Any]:
    """The `tests.test_matrix` module of every app of the platform that has one."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dangso."):
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.tests.test_matrix"))
        except ModuleNotFoundError as missing:
            if missing.name not in (f"{config.name}.tests", f"{config.name}.tests.test_matrix"):
                raise
    return found


def client_for(
    caller: str, endpoint: Endpoint, world: dict[str, Any]
) -> tuple[Client, dict[str, str]]:
    client = Client()
    if caller == "anonymous":
        return client, {}
    user = cast(User, UserFactory())
    if caller != "no_role":
        commune = world["tree"]["a" if caller == "in_scope" else "b"]
        RoleFactory(user=user, organisation=commune, role=endpoint.role)
    if endpoint.api:
        _token, key = create_token(user, name="matrix", actor=Actor.system("test"))
        return client, {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    return login_verified(client, user), {}


def placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{") and value.endswith("}")


def resolve(value: Any, world: dict[str, Any]) -> Any:
    """A payload value, with ``{key}`` standing for the id of `world[key]` (``{cell}``: the
    target cell of commune A)."""
    if not placeholder(value):
        return value
    return str(world["org" if value == "{cell}" else value[1:-1]].pk)


def send(
    client: Client, headers: dict[str, str], endpoint: Endpoint, world: dict[str, Any],
    *, api_keys: dict[str, str],
) -> Any:  # fmt: skip
    kwargs = dict(endpoint.kwargs)
    if endpoint.url_kwargs is not None:
        kwargs |= endpoint.url_kwargs(world)
    elif endpoint.target:
        key = api_keys.get(endpoint.target, "org_id") if endpoint.api else "pk"
        kwargs[key] = world[endpoint.target].pk
    url = reverse(endpoint.name, kwargs=kwargs)
    payload = {
        name: [resolve(item, world) for item in value]
        if isinstance(value, list)
        else resolve(value, world)
        for name, value in endpoint.payload.items()
    }
    if endpoint.api and endpoint.method != "get":
        for name, value in list(payload.items()):
            if isinstance(value, str) and placeholder(endpoint.payload.get(name)):
                payload[name] = int(value)
            elif isinstance(value, list) and all(
                placeholder(item) for item in endpoint.payload[name]
            ):
                payload[name] = [int(item) for item in value]
        body = json.dumps(payload)
        call = getattr(client, endpoint.method)
        return call(url, body, content_type="application/json", **headers)
    return getattr(client, endpoint.method)(url, payload, **headers)


def run_case(
    caller: str, endpoint: Endpoint, world: dict[str, Any], state: Callable[[], Any],
    *, api_keys: dict[str, str], home: str = "site:home",
    extra_check: Callable[[Endpoint, Any], None] | None = None,
) -> None:  # fmt: skip
    """One cell of the matrix: the answer the rules demand, nothing leaked, nothing changed."""
    client, headers = client_for(caller, endpoint, world)
    before = state()
    response = send(client, headers, endpoint, world, api_keys=api_keys)
    status = response.status_code
    body = response.content.decode(errors="replace") if not response.streaming else ""
    writes = endpoint.method != "get"

    if caller == "anonymous":
        if endpoint.api:
            assert status == 401
        else:
            assert status == 302 and reverse("accounts:login") in response.url
    elif caller == "no_role":
        if endpoint.name == home:
            assert status == 200
        else:
            # no capability anywhere: refused; for an object, 404 is as good (nothing is shown)
            assert status in ((403, 404) if endpoint.target or endpoint.url_kwargs else (403,))
    elif caller == "in_scope":
        assert status not in (401, 403, 404), body[:500]
        if not writes:
            assert status == (302 if endpoint.redirects else 200)
    else:  # a role of the same kind over another commune
        if endpoint.target or endpoint.url_kwargs:
            assert status == 404
        else:
            assert status in (200, 403, 404, 422) if writes else status == 200
    if caller != "in_scope":
        assert SECRET_NAME not in body and SECRET_CCCD not in body
        if extra_check is not None and status == 200:
            extra_check(endpoint, response)
        if writes:
            assert state() == before
