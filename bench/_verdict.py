"""Targets and their one-line verdicts: met, or missed by how much.

A benchmark's ``main()`` returns the :class:`Target`\\ s it measured; ``python -m bench`` prints
each module's verdicts after its table, and all of them again at the end. Each verdict also
gives the number as a ratio to the bare-OpenCV floor measured in the same run, so a slower
machine, which moves the fps, does not hide a regression, which moves the ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One measured number against its goal."""

    name: str  # what was measured, e.g. "1 layer 1280×720 full frame"
    measured: float
    goal: float
    unit: str  # "fps", "ms", "×" …
    at_least: bool  # True: the goal is a floor (fps); False: a ceiling (ms, ratios)
    note: str = ""  # e.g. "aim 50"
    # the same work's cost over the bare-OpenCV floor's, from the same run: a frame time
    # (1000 / fps), a latency or GUI milliseconds over the floor's milliseconds a frame
    floor_ratio: float = math.nan

    @property
    def met(self) -> bool:
        if not math.isfinite(self.measured):
            return False
        return self.measured >= self.goal if self.at_least else self.measured <= self.goal

    def verdict(self) -> str:
        """'met', or 'missed by N %' (how far the measured number is from the goal)."""
        if not math.isfinite(self.measured):
            return "not measured"
        if self.met:
            return "met"
        off = (self.goal - self.measured if self.at_least else self.measured - self.goal)
        return f"missed by {off / self.goal:.0%}"

    def line(self) -> str:
        sign = "≥" if self.at_least else "≤"
        aim = f", {self.note}" if self.note else ""
        floor = (f"{self.floor_ratio:5.2f}× floor" if math.isfinite(self.floor_ratio)
                 else "  no floor")
        return (f"{self.name:<46} {self.measured:8.2f} {self.unit:<6} {floor}  target "
                f"{sign} {self.goal:g}{aim}: {self.verdict()}")


def print_verdicts(targets: list[Target], title: str = "verdicts") -> None:
    if not targets:
        return
    met = sum(t.met for t in targets)
    print(f"{title} ({met} of {len(targets)} met):")
    for t in targets:
        print(f"  {t.line()}")
