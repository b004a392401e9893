"""The XLA backend (webnn_core.backends.xla) on XLA:CPU: options, exact float32 and scoped
64-bit integers, the compile cache, device tensor storage and dispatch, special values.

The per-operator tests (tests/ops) and the WPT vectors (tests/core/test_wpt.py) also run on
"xla" when jax is importable (tests.helpers.OP_BACKENDS)."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

import webnn_core as webnn  # noqa: E402
from tests.helpers import count_constants_digests, ulp_distance  # noqa: E402
from webnn_core.backends import clear_caches, get_backend  # noqa: E402
from webnn_core.backends.xla import (  # noqa: E402
    _CACHE,
    XLABackend,
    XLAGraph,
    XLATensorStorage,
    x64,
)

D = webnn.MLOperandDescriptor


def _ctx(**options: object) -> webnn.MLContext:
    return webnn.ml.create_context(backend="xla", **options)


def _graph(ctx: webnn.MLContext, build, *descs: tuple[str, D]) -> webnn.MLGraph:
    b = webnn.MLGraphBuilder(ctx)
    inputs = [b.input(name, desc) for name, desc in descs]
    return b.build({"y": build(b, *inputs)})


# -- registration and options -----------------------------------------------------------
def test_builtin_and_lazy():
    assert get_backend("xla") is XLABackend
    code = ("import sys, webnn_core; webnn_core.ml.create_context(backend='reference'); "
            "assert 'jax' not in sys.modules, 'import webnn_core imported jax'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_device_option():
    for device in ("cpu", "CPU"):
        ctx = _ctx(device=device)
        assert ctx.backend.device.platform == "cpu"
    if not any(d.platform == "gpu" for d in jax.devices()):
        with pytest.raises(webnn.NotSupportedError, match="gpu"):
            _ctx(device="gpu")
    with pytest.raises(webnn.NotSupportedError, match="NPU"):
        _ctx(device="NPU")
    with pytest.raises(TypeError, match="device must be a string"):
        _ctx(device=0)
    with pytest.raises(TypeError, match="unknown option"):
        _ctx(devcie="cpu")


def test_precision_option():
    assert _ctx().backend.precision == "float32"
    for precision in ("tf32", "bfloat16", "float16"):
        assert _ctx(precision=precision).backend.precision == precision
    with pytest.raises(TypeError, match="precision"):
        _ctx(precision="float64")


def _matmul_text(ctx: webnn.MLContext) -> str:
    graph = _graph(ctx, lambda b, a, c: b.matmul(a, c), ("a", D("float32", [4, 4])),
                   ("c", D("float32", [4, 4])))
    return graph._compiled._exe.compiled.as_text()  # type: ignore[union-attr]


def test_float32_is_exact_by_default():
    """HIGHEST precision on products; a product of float32 values exact in float32
    comes out bit-exact (no TF32 or bfloat16 passes)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 64)).astype(np.float32)
    c = rng.standard_normal((64, 64)).astype(np.float32)
    ctx = _ctx()
    graph = _graph(ctx, lambda b, x, y: b.matmul(x, y), ("a", D("float32", [64, 64])),
                   ("c", D("float32", [64, 64])))
    got = ctx.compute(graph, {"a": a, "c": c})["y"]
    exact = a.astype(np.float64) @ c.astype(np.float64)
    bound = np.abs(a).astype(np.float64) @ np.abs(c).astype(np.float64)
    # float32 accumulation error bound; bfloat16 or TF32 operands would be ~2**-8 off
    assert np.all(np.abs(got - exact) <= 64 * 2.0**-24 * bound)
    assert "bf16" not in _matmul_text(ctx)


def test_reduced_precision_only_on_request():
    assert "bf16" in _matmul_text(_ctx(precision="bfloat16"))
    assert "f16[" in _matmul_text(_ctx(precision="float16"))


# -- 64-bit integers, scoped -------------------------------------------------------------
def test_int64_exact_and_x64_unchanged_for_user_code():
    before = jax.config.jax_enable_x64
    ctx = _ctx()
    graph = _graph(ctx, lambda b, x: b.mul(x, b.constant(D("int64", [2]),
                                                         np.array([3, -1], np.int64))),
                   ("x", D("int64", [2])))
    x = np.array([2**60 // 3, -(2**62)], np.int64)
    np.testing.assert_array_equal(ctx.compute(graph, {"x": x})["y"], x * [3, -1])
    assert jax.config.jax_enable_x64 == before
    if not before:
        assert jnp.asarray(np.int64(1)).dtype == jnp.int32  # the user's JAX: still 32-bit
        assert jnp.arange(3).dtype == jnp.int32


def test_uint64_extremes():
    ctx = _ctx()
    graph = _graph(ctx, lambda b, x: b.add(x, b.constant(D("uint64", [1]),
                                                         np.array([1], np.uint64))),
                   ("x", D("uint64", [2])))
    x = np.array([2**64 - 2, 2**63], np.uint64)
    np.testing.assert_array_equal(ctx.compute(graph, {"x": x})["y"], x + np.uint64(1))


def test_x64_scope_is_thread_local():
    """While one thread is inside the backend's 64-bit scope, JAX code in another thread
    still sees the process-wide setting."""
    inside, release = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def backend_thread() -> None:
        with x64():
            seen["inside"] = jnp.arange(2).dtype
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=backend_thread)
    thread.start()
    assert inside.wait(10)
    seen["outside"] = jnp.arange(2).dtype
    release.set()
    thread.join()
    assert seen["inside"] == jnp.int64
    assert seen["outside"] == (jnp.int64 if jax.config.jax_enable_x64 else jnp.int32)


# -- compile cache -----------------------------------------------------------------------
def test_compile_cache_and_clear_cache():
    XLABackend.clear_cache()
    ctx = _ctx()

    def build() -> webnn.MLGraph:
        return _graph(ctx, lambda b, x: b.relu(x), ("x", D("float32", [3])))

    first, second = build(), build()
    assert len(_CACHE) == 1
    assert first._compiled._exe is second._compiled._exe  # type: ignore[union-attr]
    other = _graph(ctx, lambda b, x: b.relu(x), ("x", D("float32", [4])))  # new shape
    assert len(_CACHE) == 2 and other._compiled._exe is not first._compiled._exe
    clear_caches()
    assert len(_CACHE) == 0
    third = build()
    assert third._compiled._exe is not first._compiled._exe
    x = np.array([-1, 0, 2], np.float32)
    np.testing.assert_array_equal(ctx.compute(first, {"x": x})["y"], [0, 0, 2])


def _affine(ctx: webnn.MLContext, weights: np.ndarray) -> webnn.MLGraph:
    b = webnn.MLGraphBuilder(ctx)
    return b.build({"y": b.relu(b.matmul(b.input("x", D("float32", [2, 4])),
                                         b.constant(weights)))})


def test_compile_cache_hashes_weights_only_to_tell_equal_structures(monkeypatch):
    """The cache is keyed like OpenVINO's (webnn_core/backends/_cache.py): a first build
    hashes no weights; a graph of the same structure compares digests; an equal graph
    built after the first is collected still finds its executable (the entry took the
    digest when the graph went) and the entry keeps no host copy of the weights."""
    import gc
    import weakref

    XLABackend.clear_cache()
    ctx = _ctx()
    digests = count_constants_digests(monkeypatch)
    w = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    first = _affine(ctx, w)
    assert digests == []
    other = w.copy()
    other[0, 0] += 1
    second = _affine(ctx, other)
    assert digests == [second, first]  # the new graph's, then the candidate's
    assert second._compiled._exe is not first._compiled._exe  # type: ignore[union-attr]
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(ctx.compute(second, {"x": x})["y"], np.maximum(x @ other, 0),
                               rtol=1e-6)
    exe = first._compiled._exe  # type: ignore[union-attr]
    weights = weakref.ref(next(iter(first.constants.values())))
    del first, digests[:]
    gc.collect()
    assert weights() is None  # nothing cached holds the first graph's constants
    third = _affine(ctx, w.copy())
    assert third._compiled._exe is exe  # type: ignore[union-attr]
    np.testing.assert_allclose(ctx.compute(third, {"x": x})["y"], np.maximum(x @ w, 0),
                               rtol=1e-6)


def test_constants_compiled_in_within_the_budget(monkeypatch):
    """Constants are part of the executable (no argument per call) while their total fits
    the platform's EMBED_LIMITS (budget, largest), smallest first; the rest stay device
    buffers passed to each call.
    Results are the same either way."""
    from webnn_core.backends import xla

    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    bias = np.array([1, 2, 3], np.float32)

    def build(ctx):
        b = webnn.MLGraphBuilder(ctx)
        x = b.input("x", D("float32", [1, 2]))
        y = b.add(b.matmul(x, b.constant(D("float32", [2, 3]), w)),
                  b.constant(D("float32", [3]), bias))
        return b.build({"y": y})

    big = 1 << 20
    for limits, args in (((big, big), 0), ((bias.nbytes, big), 1), ((big, bias.nbytes), 1),
                         ((0, 0), 2)):
        monkeypatch.setitem(xla.EMBED_LIMITS, "cpu", limits)
        xla.XLABackend.clear_cache()
        ctx = _ctx()
        graph = build(ctx)
        compiled = graph._compiled
        assert isinstance(compiled, XLAGraph)
        assert len(compiled._exe.constants) == args
        assert all(isinstance(c, jax.Array) for c in compiled._exe.constants)
        np.testing.assert_array_equal(
            ctx.compute(graph, {"x": np.ones((1, 2), np.float32)})["y"], [[4, 7, 10]])
    xla.XLABackend.clear_cache()


# -- tensors and dispatch ----------------------------------------------------------------
def test_tensor_storage_and_dispatch():
    ctx = _ctx()
    graph = _graph(ctx, lambda b, x: b.add(x, x), ("x", D("int64", [3])))
    t_in = ctx.create_tensor(D("int64", [3]), readable=True, writable=True)
    t_out = ctx.create_tensor(D("int64", [3]), readable=True)
    assert isinstance(t_in.storage, XLATensorStorage)
    np.testing.assert_array_equal(ctx.read_tensor(t_out), np.zeros(3))
    x = np.array([2**61, -3, 5], np.int64)
    ctx.write_tensor(t_in, x)
    ctx.dispatch(graph, {"x": t_in}, {"y": t_out})
    assert isinstance(t_out.storage.array, jax.Array)  # stays on the device
    np.testing.assert_array_equal(ctx.read_tensor(t_out), 2 * x)
    out = np.empty(3, np.int64)
    graph.dispatch_arrays({"x": x}, {"y": out})
    np.testing.assert_array_equal(out, 2 * x)


def test_compute_from_threads():
    ctx = _ctx()
    graph = _graph(ctx, lambda b, x: b.mul(x, x), ("x", D("float32", [16])))
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            x = np.full(16, k, np.float32)
            for _ in range(20):
                np.testing.assert_array_equal(ctx.compute(graph, {"x": x})["y"], x * x)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


# -- special values as the reference computes them ---------------------------------------
_SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0]
_UNARY = ["abs", "ceil", "cos", "erf", "exp", "floor", "identity", "log", "neg", "reciprocal",
          "round_even", "sin", "sign", "sqrt", "tan", "relu", "sigmoid", "tanh", "elu", "gelu",
          "softplus", "softsign", "hard_sigmoid", "hard_swish", "leaky_relu", "linear",
          "is_nan", "is_infinite"]
_BINARY = ["add", "sub", "mul", "div", "max", "min", "pow", "equal", "greater", "lesser"]


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view({1: np.uint8, 2: np.uint16, 4: np.uint32}[a.dtype.itemsize])


def _assert_like_reference(got: np.ndarray, want: np.ndarray) -> None:
    """NaN where the reference has NaN; infinities and signed zeros bit for bit; finite
    values within 2 ULP (XLA's transcendental functions are not correctly rounded)."""
    if want.dtype.kind != "f":
        np.testing.assert_array_equal(got, want)
        return
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    special = ~np.isfinite(want) & ~np.isnan(want) | (want == 0)
    np.testing.assert_array_equal(_bits(got[special]), _bits(want[special]))
    finite = np.isfinite(want) & (want != 0)
    assert ulp_distance(got[finite], want[finite]).max(initial=0) <= 2


def _both(build, feeds: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    results = []
    for backend in ("xla", "reference"):
        ctx = webnn.ml.create_context(backend=backend)
        b = webnn.MLGraphBuilder(ctx)
        ins = {k: b.input(k, D(str(v.dtype), list(v.shape))) for k, v in feeds.items()}
        results.append(ctx.compute(b.build({"y": build(b, **ins)}), feeds)["y"])
    return results[0], results[1]


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_unary_special_values_match_reference(dtype: str):
    x = np.array(_SPECIAL, dtype)
    for op in _UNARY:
        got, want = _both(lambda b, x, op=op: getattr(b, op)(x), {"x": x})
        _assert_like_reference(got, want)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_binary_special_values_match_reference(dtype: str):
    """Every pair of special values (signed zeros on ties of max/min included)."""
    x = np.array(_SPECIAL, dtype)
    a, c = np.repeat(x, x.size), np.tile(x, x.size)
    for op in _BINARY:
        got, want = _both(lambda b, a, c, op=op: getattr(b, op)(a, c), {"a": a, "c": c})
        _assert_like_reference(got, want)


def test_float32_subnormal_results_flush_to_zero():
    """Known XLA:CPU limitation: it runs with flush-to-zero, so a float32 result below
    2**-126 is 0 (the reference keeps the subnormal); float16 subnormals are kept."""
    a = np.array([1.0], np.float32)
    got, want = _both(lambda b, a: b.div(a, b.constant("float32", 3e38)), {"a": a})
    assert want[0] != 0 and got[0] == 0
    h = np.array([1e-4], np.float16)
    got, want = _both(lambda b, h: b.mul(h, b.constant("float16", 0.25)), {"h": h})
    assert got[0] == want[0] != 0
