"""The timing helper the scripts in tools/gpu share.

``benchmarks.frameworks.timing`` times runtimes interleaved and returns raw samples; these
scripts time one callable in a block, so they use this instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def median_ms(fn: Callable[[], object], runs: int, warmup: int,
              before: Callable[[], object] | None = None) -> float:
    """Median wall time of ``fn()`` in ms, rounded to 3 decimals, over ``runs`` calls after
    ``warmup`` untimed ones. ``before``, when given, runs untimed right before every call of
    ``fn`` (warm-up calls included), to time ``fn`` in the state ``before`` leaves behind."""
    samples = []
    for i in range(warmup + runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        if i >= warmup:
            samples.append(time.perf_counter() - t0)
    return round(float(np.median(samples)) * 1e3, 3)
