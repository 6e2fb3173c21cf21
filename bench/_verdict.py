"""Targets and their one-line verdicts: met, or missed by how much.

A benchmark's ``main()`` returns the :class:`Target`\\ s it measured; ``python -m bench`` prints
each module's verdicts after its table, and all of them again at the end.
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
        return (f"{self.name:<46} {self.measured:8.2f} {self.unit:<6} target {sign} "
                f"{self.goal:g}{aim}: {self.verdict()}")


def print_verdicts(targets: list[Target], title: str = "verdicts") -> None:
    if not targets:
        return
    met = sum(t.met for t in targets)
    print(f"{title} ({met} of {len(targets)} met):")
    for t in targets:
        print(f"  {t.line()}")
