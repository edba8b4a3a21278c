"""The one scoping function (DESIGN rule 1).

Every list, detail, search, export and API call narrows its queryset with `restrict()`.
A model says how it reaches its organisation's path with a `scope_path` class attribute
("path" for organisations, "organisation__path" for records kept by one).
"""

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from dangso.accounts.roles import ROLE_CAPABILITIES
from dangso.orgs.models import Organisation
from dangso.orgs.paths import depth_of, lineage

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_dangso_role_paths"


def role_paths(user: Any) -> list[tuple[str, str]]:
    """(role, organisation path) for each active-organisation role of `user`, once per request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from dangso.accounts.models import RoleAssignment

        cached = list(
            RoleAssignment.objects.filter(user=user).values_list("role", "organisation__path")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def capabilities(user: Any) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return {cap for role, _ in role_paths(user) for cap in ROLE_CAPABILITIES.get(role, ())}


def scope_paths(user: Any, capability: str) -> list[str]:
    """The organisation paths under which `user` holds `capability`, without nested repeats."""
    if not user.is_authenticated or not user.is_active:
        return []
    paths = sorted(
        {path for role, path in role_paths(user) if capability in ROLE_CAPABILITIES.get(role, ())}
    )
    outermost: list[str] = []
    for path in paths:
        if not any(path.startswith(outer) for outer in outermost):
            outermost.append(path)
    return outermost


def restrict(queryset: QuerySet[M], user: Any, capability: str) -> QuerySet[M]:
    """`queryset` narrowed to the records `user` may reach with `capability`."""
    paths = scope_paths(user, capability)
    if not paths:
        return queryset.none()
    lookup = f"{queryset.model.scope_path}__startswith"  # type: ignore[attr-defined]
    condition = Q()
    for path in paths:
        condition |= Q(**{lookup: path})
    return queryset.filter(condition)


def covers(user: Any, capability: str, path: str) -> bool:
    """Whether `user` holds `capability` over the organisation at `path` (no query once the
    roles are loaded): `restrict()`'s test for one record already in hand."""
    return any(path.startswith(scope) for scope in scope_paths(user, capability))


def can(user: Any, capability: str, obj: Model | None = None) -> bool:
    """Whether `user` holds `capability` anywhere, or over `obj` when given."""
    if obj is None:
        return bool(scope_paths(user, capability))
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, capability).exists()


def organisation_options(
    user: Any, capability: str, *, levels: int = 2, limit: int = 500
) -> list[tuple[int, str]]:
    """(id, indented name) of the active organisations a filter select offers, in tree order.

    Only the top `levels` below the user's scope roots: a national list would otherwise hold
    every cell in the country; deeper organisations are reached from the tree.
    """
    paths = scope_paths(user, capability)
    if not paths:
        return []
    top = min(depth_of(path) for path in paths)
    rows = (
        restrict(Organisation.objects.active(), user, capability)
        .filter(depth__lte=top + levels)
        .order_by("path")
        .values_list("pk", "name", "depth")[:limit]
    )
    return [(pk, "— " * (depth - top) + name) for pk, name, depth in rows]


def scope_roots(user: Any, capability: str) -> list[Organisation]:
    """The organisations whose subtrees make up `user`'s scope for `capability`, in tree order."""
    paths = scope_paths(user, capability)
    return list(Organisation.objects.filter(path__in=paths).order_by("path")) if paths else []


def people_who_can(
    capability: str, organisation: Organisation, *, here_only: bool = False
) -> list[Any]:
    """Active users holding `capability` over `organisation`: by a role there, or above it
    unless `here_only`."""
    from django.contrib.auth import get_user_model

    from dangso.accounts.models import RoleAssignment

    paths = [organisation.path] if here_only else lineage(organisation.path)
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    user_ids = RoleAssignment.objects.filter(organisation__path__in=paths, role__in=roles).values(
        "user_id"
    )
    User = get_user_model()
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("first_name"))


def require_capability(request: Any, capability: str) -> None:
    """A page refuses (403) a person who holds `capability` nowhere: nothing is revealed."""
    from django.core.exceptions import PermissionDenied

    if not can(request.user, capability):
        raise PermissionDenied


def chosen_organisation(user: Any, capability: str, pk: Any) -> Organisation:
    """The organisation a page was asked about (`pk`, e.g. ``?org=``), within `user`'s scope for
    `capability` (404 outside it), or the first root of that scope when none was asked for."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import get_object_or_404

    organisations = restrict(Organisation.objects.all(), user, capability)
    if pk not in (None, ""):
        try:
            return get_object_or_404(organisations, pk=int(pk))
        except (TypeError, ValueError):
            pass
    roots = scope_roots(user, capability)
    if not roots:
        raise PermissionDenied
    return roots[0]


def get_in_scope(queryset: QuerySet[M], user: Any, capability: str, pk: Any) -> M:
    """The record `pk` of `queryset` if `user` reaches it with `capability`; 404 otherwise
    (a record out of scope and a missing one look the same)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(restrict(queryset, user, capability), pk=pk)


def get_for_write(queryset: QuerySet[M], user: Any, capability: str, pk: Any) -> M:
    """`get_in_scope`, locked for the rest of the transaction (SELECT … FOR UPDATE of the
    record's own row): the write is authorised against the row it changes, and two people
    acting at once are serialised. Call inside `transaction.atomic()`."""
    return get_in_scope(queryset.select_for_update(of=("self",)), user, capability, pk)
