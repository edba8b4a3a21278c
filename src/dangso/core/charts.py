"""Charts as pages show them: drawn by the vendored Chart.js, with the same figures in a table
beside the chart (readable without JavaScript, by a screen reader, or when printed).

A view builds `Chart`s; the template includes "core/_chart.html" with `chart=...`. Each bar or
slice may link to the page behind it (a child unit's dashboard, the list of tasks…).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Series:
    label: str
    values: list[float]
    colour: str = "#b71c1c"


@dataclass
class Chart:
    id: str
    title: str
    labels: list[str]
    series: list[Series]
    kind: str = "bar"  # "bar" (horizontal), "column", "doughnut", "stacked"
    links: list[str] = field(default_factory=list)
    unit: str = ""  # shown after each value in the table, e.g. "%"
    colours: list[str] = field(default_factory=list)  # one per label (doughnut)

    @property
    def rows(self) -> list[tuple[str, list[float], str]]:
        links = self.links or [""] * len(self.labels)
        return [
            (label, [series.values[index] for series in self.series], links[index])
            for index, label in enumerate(self.labels)
        ]

    @property
    def empty(self) -> bool:
        """Nothing to list (zeros are figures too: 0 of 5 tasks done is worth showing)."""
        return not self.labels

    @property
    def height(self) -> int:
        """Pixels for a horizontal bar chart: one row per label, so long lists stay legible."""
        if self.kind in ("doughnut", "column"):
            return 240
        return max(120, 34 * len(self.labels) + 40)

    def config(self) -> dict[str, Any]:
        """What `core/charts.js` hands to Chart.js (no code: data and a few options)."""
        return {
            "kind": self.kind,
            "labels": self.labels,
            "links": self.links,
            "unit": self.unit,
            "datasets": [
                {
                    "label": series.label,
                    "data": series.values,
                    "backgroundColor": self.colours or series.colour,
                }
                for series in self.series
            ],
        }


def single(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, float]],
    *,
    kind: str = "bar",
    links: Sequence[str] = (),
    unit: str = "",
    colours: Sequence[str] = (),
    series_label: str = "",
) -> Chart:
    """A chart of one series from (label, value) rows."""
    return Chart(
        id=chart_id,
        title=title,
        labels=[label for label, _value in rows],
        series=[Series(series_label or title, [value for _label, value in rows])],
        kind=kind,
        links=list(links),
        unit=unit,
        colours=list(colours),
    )
