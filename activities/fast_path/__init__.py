"""Measured optimisations on the phone's path, kept apart from the domain code.

Each module here does something the domain could do more plainly (ask the ORM, render again),
because a benchmark showed the plain way cost too much; each names the figure and the
benchmark (`bench/request_cost.py` in-process, `bench/load.py` served) that justify it, with
the session notes in `bench/history/`. Domain modules call these plain functions and never
reach into a cache or a cursor themselves. When the benchmark no longer shows one pays, delete
it and let its caller do the plain thing.
"""
