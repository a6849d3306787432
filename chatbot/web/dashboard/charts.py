"""Horizontal bar charts as plain data for an SVG template: readable without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 300
BAR_WIDTH = 360


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.bar_width + 70


def bar_chart(title: str, items: list[tuple[str, int]]) -> BarChart:
    top = max((value for _, value in items), default=0) or 1
    bars = [
        Bar(label, value, i * (BAR_HEIGHT + GAP), round(BAR_WIDTH * value / top))
        for i, (label, value) in enumerate(items)
    ]
    return BarChart(title, bars, max(1, len(bars)) * (BAR_HEIGHT + GAP))
