"""The WebNN EP under load: concurrent runs on one session, and memory over many runs."""

from __future__ import annotations

import threading

import numpy as np
import onnxruntime as ort
import pytest

from tests.helpers import HAS_STATM, STATM, rss_bytes
from tests.providers.onnxruntime._ort_models import add_mul, cpu_run, mixed, webnn_session


@pytest.mark.parametrize("mode", ["sequential", "parallel"])
@pytest.mark.parametrize("batch", [2, "N"])
def test_concurrent_runs(webnn_ort, mode, batch):
    """4 threads x 200 runs on one session, each checking its own results."""
    so = ort.SessionOptions()
    if mode == "parallel":
        so.execution_mode = ort.ExecutionMode.ORT_PARALLEL
    model = add_mul(batch)
    session = webnn_session(model, session_options=so)
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = np.random.default_rng(seed)
        try:
            for i in range(200):
                rows = 2 if batch == 2 else 1 + (seed + i) % 4
                x = rng.standard_normal((rows, 3)).astype(np.float32)
                (y,) = session.run(None, {"x": x})
                np.testing.assert_allclose(y, (x + [1, -2, 3]) * x, rtol=1e-6)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a run did not finish"
    assert not errors, errors[0]


def test_concurrent_runs_mixed_partitions(webnn_ort):
    model = mixed()
    session = webnn_session(model)
    x = np.linspace(-2, 2, 8, dtype=np.float32).reshape(2, 4)
    want = cpu_run(model, {"x": x})[0]
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(200):
                np.testing.assert_allclose(session.run(None, {"x": x})[0], want, rtol=1e-6)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors[0]


@pytest.mark.skipif(not HAS_STATM, reason=f"reads resident memory from {STATM} (Linux)")
@pytest.mark.parametrize("batch", [2, "N"])
def test_memory_flat_over_10000_runs(webnn_ort, batch):
    """RSS does not grow with the number of runs (a memory test, not a timing test)."""
    session = webnn_session(add_mul(batch))
    x = np.ones((2, 3), np.float32)
    for _ in range(500):  # warm up pools and caches
        session.run(None, {"x": x})
    before = rss_bytes()
    for _ in range(10_000):
        session.run(None, {"x": x})
    growth = rss_bytes() - before
    assert growth < 20 * 2**20, f"RSS grew by {growth / 2**20:.1f} MB over 10,000 runs"
