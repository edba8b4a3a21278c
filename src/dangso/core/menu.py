"""The staff menu, declared by each app (`<app>/menu.py`) and composed by the site.

An app lists its pages as `MenuItem`s under one of the areas of Party work below; the site
shows each person the areas and items their capabilities open, in order. No app edits the
base template to add a page.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    key: str
    label: Promise
    icon: str  # a Bootstrap Icons name
    order: int


AREAS = {
    area.key: area
    for area in (
        Area("steering", _("Steering"), "speedometer2", 10),
        Area("organisation", _("Organisation and members"), "diagram-3", 20),
        Area("documents", _("Documents and archives"), "file-earmark-text", 30),
        Area("cells", _("Cells, congresses and handbook"), "people", 40),
        Area("inspection", _("Inspection"), "shield-check", 50),
        Area("memberyear", _("Fees, rating and rewards"), "award", 60),
        Area("system", _("System"), "gear", 90),
    )
}


@dataclass(frozen=True)
class MenuItem:
    """One page in the menu, shown to whoever holds `capability` somewhere (or, with
    `any_of`, one of those capabilities); an empty capability shows it to every official."""

    area: str
    label: Promise
    url_name: str
    capability: str = ""
    any_of: tuple[str, ...] = ()
    args: tuple[Any, ...] = ()
    order: int = 100
    element_id: str = ""

    def url(self) -> str:
        return reverse(self.url_name, args=self.args)

    def is_open_to(self, capabilities: set[str]) -> bool:
        needed = (self.capability,) if self.capability else self.any_of
        return not needed or any(cap in capabilities for cap in needed)


@dataclass
class MenuGroup:
    area: Area
    items: list[MenuItem] = field(default_factory=list)


def menu_for(items: Iterable[MenuItem], capabilities: set[str]) -> Sequence[MenuGroup]:
    """The groups a person sees: their areas in order, each with the items open to them."""
    groups: dict[str, MenuGroup] = {}
    for item in sorted(items, key=lambda item: item.order):
        if item.is_open_to(capabilities):
            groups.setdefault(item.area, MenuGroup(AREAS[item.area])).items.append(item)
    return sorted(groups.values(), key=lambda group: group.area.order)
