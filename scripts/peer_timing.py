"""Timing shared by the Python benchmark peers (scripts/bench-*-peer.py)."""
import statistics
import time


def timed(fn, runs=20, warmup=1, budget=None):
    """Median milliseconds of `fn` over up to `runs` runs after `warmup` untimed runs; with
    `budget` (seconds), stops early once at least one run was timed and the budget is spent."""
    return statistics.median(timings(fn, runs, warmup, budget))


def timings(fn, runs=20, warmup=1, budget=None):
    """The milliseconds of each timed run of `fn` (see `timed`)."""
    for _ in range(warmup):
        fn()
    times = []
    deadline = None if budget is None else time.perf_counter() + budget
    while len(times) < runs and (deadline is None or not times or time.perf_counter() < deadline):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times
