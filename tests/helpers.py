"""Shared test helpers: build a graph on both backends and compare results."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Mapping

import numpy as np

import webnn_core as webnn

#: where the process's resident memory is read (Linux)
STATM = "/proc/self/statm"
HAS_STATM = os.path.exists(STATM)


def rss_bytes() -> int:
    """The process's resident set size (for memory-growth tests, never for timing)."""
    with open(STATM) as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")

_CONTEXTS: dict[str, webnn.MLContext] = {}
BACKENDS = ("reference", "openvino")
#: the backends the per-operator and WPT tests run on: BACKENDS, and "xla" when jax is
#: importable and WEBNN_TEST_XLA is not "0" (the XLA backend's own tests:
#: tests/core/test_xla_backend.py)
OP_BACKENDS: tuple[str, ...] = BACKENDS + (
    ("xla",) if importlib.util.find_spec("jax") is not None
    and os.environ.get("WEBNN_TEST_XLA", "1") != "0" else ())
#: backends that flush subnormal float32 results to zero (XLA:CPU runs with FTZ/DAZ set)
FLUSHES_SUBNORMALS = ("xla",)


def context(backend: str) -> webnn.MLContext:
    """One shared context per backend for the test session (the "xla" one on the device
    WEBNN_TEST_XLA_DEVICE names, default "cpu")."""
    if backend not in _CONTEXTS:
        options = {"device": os.environ.get("WEBNN_TEST_XLA_DEVICE", "cpu")} \
            if backend == "xla" else {}
        _CONTEXTS[backend] = webnn.ml.create_context(backend=backend, **options)
    return _CONTEXTS[backend]


def run(backend: str, build: Callable[[webnn.MLGraphBuilder], Mapping[str, webnn.MLOperand]],
        inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Build with ``build(builder) -> {name: operand}`` on ``backend`` and compute."""
    ctx = context(backend)
    builder = webnn.MLGraphBuilder(ctx)
    graph = builder.build(dict(build(builder)))
    return ctx.compute(graph, inputs)


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance in units in the last place between float arrays of the same dtype
    (float32 or float16); equal NaNs and equal infinities are 0 apart."""
    a = np.asarray(a)
    b = np.asarray(b)
    int_type = {np.dtype(np.float32): np.int32, np.dtype(np.float16): np.int16}[a.dtype]
    wide = np.int64

    def ordered(x: np.ndarray) -> np.ndarray:
        bits = x.view(int_type).astype(wide)
        top = np.iinfo(int_type).min
        return np.where(bits < 0, top - bits, bits)

    dist = np.abs(ordered(a) - ordered(b))
    both_nan = np.isnan(a) & np.isnan(b)
    return np.where(both_nan, 0, dist)


def assert_close(actual: np.ndarray, expected: np.ndarray, *, ulp: int | None = None,
                 atol: float | None = None, what: str = "") -> None:
    """Assert equal dtype and shape and values within ``ulp`` or ``atol`` (exact when
    neither is given)."""
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if actual.dtype.kind != "f" or (ulp is None and atol is None):
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    if ulp is not None:
        dist = ulp_distance(actual, expected)
        worst = int(dist.max()) if dist.size else 0
        assert worst <= ulp, f"{what}: {worst} ULP > {ulp} ULP"
    else:
        np.testing.assert_allclose(actual, expected, rtol=0, atol=atol, err_msg=what)


def assert_backends_agree(build: Callable[[webnn.MLGraphBuilder], Mapping[str, webnn.MLOperand]],
                          inputs: Mapping[str, np.ndarray], *, ulp: int | None = None,
                          atol: float | None = None) -> dict[str, np.ndarray]:
    """Run on every backend of OP_BACKENDS, compare each against the reference; return the
    reference."""
    ref = run("reference", build, inputs)
    for backend in OP_BACKENDS:
        if backend == "reference":
            continue
        got = run(backend, build, inputs)
        assert set(ref) == set(got)
        for name in ref:
            want = flush_subnormals(ref[name]) if backend in FLUSHES_SUBNORMALS else ref[name]
            assert_close(got[name], want, ulp=ulp, atol=atol, what=f"{backend}: {name}")
    return ref


def flush_subnormals(array: np.ndarray) -> np.ndarray:
    """``array`` with subnormal float32 values replaced by a zero of the same sign (what a
    device running with flush-to-zero computes; float16 results, rounded from float32,
    keep their subnormals)."""
    if array.dtype != np.float32:
        return array
    tiny = np.finfo(array.dtype).tiny
    subnormal = (array != 0) & (np.abs(array) < tiny)
    return np.where(subnormal, np.copysign(np.zeros((), array.dtype), array), array)


def count_constants_digests(monkeypatch) -> list[webnn.MLGraph]:
    """The graphs whose ``constants_digest`` is asked for from now on (in order), for tests
    of the compile caches' rule: weights are hashed only to tell graphs of equal structure
    apart."""
    digests: list[webnn.MLGraph] = []
    real = webnn.MLGraph.constants_digest

    def counted(self: webnn.MLGraph) -> str:
        digests.append(self)
        return real(self)

    monkeypatch.setattr(webnn.MLGraph, "constants_digest", counted)
    return digests
