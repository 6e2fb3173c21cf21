"""The kill rate of a mutation run: how many wrong programs the tests caught.

Reads what ``mutmut results --all true`` printed (one ``name: status`` a line) and prints the
counts, the rate, and the surviving mutants by function, for ``make mutants``. A mutant that
no test reaches counts as surviving: nothing would have caught it.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

CAUGHT = {"killed", "timeout"}  # a mutant that makes the tests hang is caught too
MISSED = {"survived", "no tests"}


def main(path: str) -> int:
    statuses: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            statuses[name] = status
    counts = Counter(statuses.values())
    caught = sum(counts[s] for s in CAUGHT)
    judged = caught + sum(counts[s] for s in MISSED)
    for status, n in sorted(counts.items()):
        print(f"{status:>12}: {n}")
    if judged:
        print(f"kill rate: {caught} of {judged} = {caught / judged:.1%}")
    by_function = Counter(name.rsplit("__mutmut_", 1)[0] for name, s in statuses.items()
                          if s in MISSED)
    for function, n in by_function.most_common():
        print(f"  {n:4d} not caught in {function}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "mutants-results.txt"))
