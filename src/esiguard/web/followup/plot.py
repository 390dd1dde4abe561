"""A server-rendered SVG plot of pain (0-10) and leg weakness (none to severe) over time.

Pure geometry: the template draws what this computes, with presentation attributes only (no
inline styles or scripts, so the page's Content-Security-Policy holds) and a table beside it
for screen readers and print.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PlotPoint", "PlotView", "build_plot"]

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 56, 16, 40
WEAKNESS_MAX = 3


class PlotPoint(BaseModel):
    model_config = ConfigDict(frozen=True)
    x: float
    y: float
    label: str = Field(description="Tooltip text: time and value.")


class PlotView(BaseModel):
    model_config = ConfigDict(frozen=True)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_x: int = WIDTH - RIGHT
    top: int = TOP
    bottom_y: int = HEIGHT - BOTTOM
    pain_points: list[PlotPoint]
    weakness_points: list[PlotPoint]
    pain_polyline: str
    weakness_polyline: str
    x_ticks: list[tuple[float, str]]
    pain_ticks: list[tuple[float, str]]
    weakness_ticks: list[tuple[float, str]]
    description: str


def build_plot(samples: list[tuple[float, int, int]]) -> PlotView:
    """`samples`: (hours since injection, pain 0-10, leg weakness 0-3), in time order."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    max_hours = max([h for h, _, _ in samples] + [24.0])

    def x_of(hours: float) -> float:
        return round(LEFT + plot_w * hours / max_hours, 1)

    def y_pain(value: float) -> float:
        return round(TOP + plot_h * (1 - value / 10), 1)

    def y_weak(value: float) -> float:
        return round(TOP + plot_h * (1 - value / WEAKNESS_MAX), 1)

    weakness_words = ["none", "mild", "moderate", "severe"]
    pain = [PlotPoint(x=x_of(h), y=y_pain(p), label=f"{h:g} h: pain {p}/10") for h, p, _ in samples]
    weak = [
        PlotPoint(x=x_of(h), y=y_weak(w), label=f"{h:g} h: leg weakness {weakness_words[w]}")
        for h, _, w in samples
    ]
    step = _tick_step(max_hours)
    x_ticks = [(x_of(t), _hours_label(t)) for t in _range(0, max_hours, step)]
    return PlotView(
        pain_points=pain,
        weakness_points=weak,
        pain_polyline=" ".join(f"{p.x},{p.y}" for p in pain),
        weakness_polyline=" ".join(f"{p.x},{p.y}" for p in weak),
        x_ticks=x_ticks,
        pain_ticks=[(y_pain(v), str(v)) for v in (0, 2, 4, 6, 8, 10)],
        weakness_ticks=[(y_weak(i), w) for i, w in enumerate(weakness_words)],
        description=(
            f"Pain and leg weakness at {len(samples)} check-ins over the first "
            f"{_hours_label(max_hours)} after the injection."
        ),
    )


def _tick_step(max_hours: float) -> float:
    for step in (4, 12, 24, 48, 72, 168):
        if max_hours / step <= 8:
            return step
    return 336


def _range(start: float, stop: float, step: float) -> list[float]:
    out, t = [], start
    while t <= stop + 1e-9:
        out.append(t)
        t += step
    return out


def _hours_label(hours: float) -> str:
    return f"{hours / 24:g} d" if hours >= 48 else f"{hours:g} h"
