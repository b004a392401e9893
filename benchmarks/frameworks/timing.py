"""Timing, statistics and the JSON record shared by the benchmarks.

``interleaved`` times several callables in rounds, one call of each per round, in an order
balanced for carry-over: a runtime slows the one that runs right after it (its threads still
spin, it evicted the caches; measured here: OpenCV's default backend makes the next
inference 25% slower), so every runtime must follow every other one equally often. Plain
rotation does not do that for three (in h w o | w o h | o h w the second one follows the
first twice as often as the third does); see :func:`round_order`.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def summarize(samples: Sequence[float]) -> dict[str, float]:
    """Median, p90, min, mean and standard deviation of ``samples`` (seconds) in ms."""
    ms = sorted(s * 1e3 for s in samples)
    p90 = ms[min(len(ms) - 1, int(np.ceil(0.9 * len(ms))) - 1)]
    return {"median_ms": statistics.median(ms), "p90_ms": p90, "min_ms": ms[0],
            "mean_ms": statistics.fmean(ms),
            "stdev_ms": statistics.stdev(ms) if len(ms) > 1 else 0.0, "n": len(ms)}


def round_order(names: Sequence[str], round_index: int) -> list[str]:
    """The order of ``names`` in round ``round_index``: the first name always first, then
    the others in the next of all their permutations. Over ``(n-1)!`` consecutive rounds
    every name directly follows every other name equally often (round boundaries
    included) and never itself."""
    if len(names) < 2:
        return list(names)
    rest = list(itertools.permutations(names[1:]))
    return [names[0], *rest[round_index % len(rest)]]


def interleaved(runs: dict[str, Callable[[], object]], iterations: int,
                warmup: int, on_round: Callable[[], None] | None = None
                ) -> dict[str, list[float]]:
    """Warm each callable up, then time one call of each per round in
    :func:`round_order`; returns name -> per-call seconds. ``on_round`` (e.g. a progress bar) is
    called after every warm-up and timed round, outside the timed calls."""
    names = list(runs)
    for _ in range(warmup):
        for name in names:
            runs[name]()
        if on_round:
            on_round()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(iterations):
        for name in round_order(names, i):
            t0 = time.perf_counter()
            runs[name]()
            samples[name].append(time.perf_counter() - t0)
        if on_round:
            on_round()
    return samples


def paired_ratios(numerator: Sequence[float], denominator: Sequence[float]) -> list[float]:
    """Per-round ratios of two sample lists from the same interleaved run."""
    return [a / b for a, b in zip(numerator, denominator, strict=True)]


def ratio_summary(numerator: Sequence[float], denominator: Sequence[float]) -> dict[str, float]:
    """Ratio of the medians and median of the per-round paired ratios."""
    return {"ratio_of_medians": statistics.median(numerator) / statistics.median(denominator),
            "median_paired_ratio": statistics.median(paired_ratios(numerator, denominator))}


def environment(openvino: bool = True) -> dict[str, Any]:
    """Versions and machine facts for the JSON record. OpenVINO's version where it is
    installed; with ``openvino`` False (a run whose WebNN backend is not OpenVINO, e.g. on a
    GPU machine without it) only where it was imported already: importing it starts its
    telemetry process, a fork that jax warns about."""
    info: dict[str, Any] = {"numpy": np.__version__, "python": platform.python_version(),
                            "cpu_count": os.cpu_count(), "machine": platform.machine()}
    if openvino or "openvino" in sys.modules:
        try:
            import openvino as ov

            info = {"openvino": ov.get_version(), **info}
        except ImportError:
            pass
    try:
        import onnxruntime as ort

        info["onnxruntime"] = ort.__version__
    except ImportError:  # pragma: no cover - the core benchmark does not need it
        pass
    return info


def progress(line: str) -> None:
    """Progress lines of a benchmark run (stderr, so the report on stdout stays clean)."""
    print(f"... {line}", file=sys.stderr, flush=True)


def publish(report: str, result: dict[str, Any], json_path: str | None) -> None:
    """Print a benchmark's report and write its results as JSON when asked."""
    print(report)
    if json_path:
        with open(json_path, "w") as f:
            json.dump(result, f, indent=2, default=str)
        print(f"\nresults written to {json_path}")
