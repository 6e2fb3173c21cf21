"""Run every benchmark module of the ``bench`` package, or the ones named on the command line.

A benchmark is any module here, not starting with ``_``, that has a ``main()``; they run in
alphabetical order, so ``bench/live.py`` with a ``main()`` plugs in without touching this file.
A ``main()`` may return the targets it measured (``bench._verdict.Target``): they are printed
again at the end, one verdict a line, with the machine's load when the run began and ended.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import bench
from bench._verdict import Target, print_verdicts


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def discover() -> list[str]:
    """The names of the benchmark modules, alphabetically."""
    return sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    available = discover()
    chosen = argv or available
    unknown = [name for name in chosen if name not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
        return 2
    print(f"load average at the start: {_load()} (timings assume a quiet machine)")
    targets: list[Target] = []
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        if not callable(getattr(module, "main", None)):
            continue
        print(f"== bench.{name}", flush=True)
        measured = module.main()
        targets += measured or []
        print(flush=True)
    print(f"load average at the end: {_load()}")
    print_verdicts(targets, "== all verdicts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
