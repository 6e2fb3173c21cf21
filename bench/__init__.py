"""Benchmarks: ``python -m bench`` (or ``make bench``) runs every module of this package.

Each module with a ``main()`` is one benchmark; ``python -m bench core`` runs only the named
ones. Add a benchmark by dropping a module with a ``main()`` here (``bench/live.py`` …).
Benchmarks print medians in milliseconds and ratios to a reference measured in the same run,
since absolute times depend on the machine and on what else it is doing.
"""
