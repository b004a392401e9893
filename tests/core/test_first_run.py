"""What a first build does once, and only once (issue 17): graph keys that hash no weights
until a cache needs them, constants taken by reference (copied only when the graph cannot
own them), the OpenVINO model sharing the graph's constant arrays, and OpenVINO's
``CACHE_DIR`` reused by a second process. No timing is asserted: the benchmark reports it
(``python -m benchmarks``, first-run columns)."""

from __future__ import annotations

import ctypes
import gc
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import count_constants_digests
from webnn_core.backends import clear_caches

D = webnn.MLOperandDescriptor
ov_backend = pytest.importorskip("webnn_core.backends.openvino")
OpenVINOBackend = ov_backend.OpenVINOBackend


def _affine(ctx: webnn.MLContext, weights: np.ndarray, copy: bool = True) -> webnn.MLGraph:
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D("float32", [2, 4]))
    w = b.constant(weights, copy=copy)
    return b.build({"y": b.relu(b.matmul(x, w))})


def _weights() -> np.ndarray:
    return np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)


# -- keys ----------------------------------------------------------------------------------


def test_fingerprint_tells_one_constant_byte():
    ctx = webnn.ml.create_context(backend="reference")
    w = _weights()
    other = w.copy()
    other.reshape(-1).view(np.uint8)[5] ^= 1  # one bit of one byte
    a, b, c = _affine(ctx, w), _affine(ctx, w.copy()), _affine(ctx, other)
    assert a.structure_key() == b.structure_key() == c.structure_key()
    assert a.constants_digest() == b.constants_digest() != c.constants_digest()
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_structure_key_covers_topology_options_and_shapes():
    ctx = webnn.ml.create_context(backend="reference")

    def graph(op: str, shape: tuple[int, ...] = (2, 4)) -> webnn.MLGraph:
        b = webnn.MLGraphBuilder(ctx)
        x = b.input("x", D("float32", list(shape)))
        return b.build({"y": getattr(b, op)(x)})

    assert graph("relu").structure_key() == graph("relu").structure_key()
    assert graph("relu").structure_key() != graph("sigmoid").structure_key()
    assert graph("relu").structure_key() != graph("relu", (4, 2)).structure_key()


def test_first_build_hashes_no_weights(monkeypatch):
    """The compile cache asks for the constants' digest only when it holds a graph of the
    same structure; a graph differing in one byte then misses, an equal one hits."""
    clear_caches()
    ctx = webnn.ml.create_context()
    digests = count_constants_digests(monkeypatch)
    w = _weights()
    first = _affine(ctx, w)
    assert digests == []
    other = w.copy()
    other[0, 0] += 1
    second = _affine(ctx, other)
    assert digests == [second]
    assert OpenVINOBackend.compiled_model(first) is not OpenVINOBackend.compiled_model(second)
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(ctx.compute(second, {"x": x})["y"],
                               np.maximum(x @ other, 0), rtol=1e-6)
    third = _affine(ctx, w.copy())
    assert OpenVINOBackend.compiled_model(third) is OpenVINOBackend.compiled_model(first)


def test_equal_graph_hits_after_the_first_is_gone():
    clear_caches()
    ctx = webnn.ml.create_context()
    w = _weights()
    first = _affine(ctx, w)
    compiled = OpenVINOBackend.compiled_model(first)
    del first
    gc.collect()
    again = _affine(ctx, w.copy())
    assert OpenVINOBackend.compiled_model(again) is compiled


def test_compile_cache_stays_bounded():
    cache = ov_backend.CompiledCache(2)
    ctx = webnn.ml.create_context(backend="reference")
    graphs = [_affine(ctx, _weights() + k) for k in range(3)]
    for k, graph in enumerate(graphs):
        cache.put(("key",), graph, f"model {k}")
    assert len(cache) == 2
    assert cache.get(("key",), graphs[0]) is None  # the oldest went
    assert cache.get(("key",), graphs[2]) == "model 2"
    cache.clear()
    assert len(cache) == 0 and not cache


# -- constants by reference ------------------------------------------------------------------


def test_constant_copies_by_default():
    ctx = webnn.ml.create_context()
    w = _weights()
    graph = _affine(ctx, w)
    expected = np.maximum(np.ones((2, 4), np.float32) @ w, 0)
    w[:] = 0  # the caller reuses its buffer (the spec's semantics)
    np.testing.assert_allclose(ctx.compute(graph, {"x": np.ones((2, 4), np.float32)})["y"],
                               expected, rtol=1e-6)


def test_constant_by_reference_keeps_owned_arrays():
    ctx = webnn.ml.create_context(backend="reference")
    w = _weights()
    graph = _affine(ctx, w, copy=False)
    (kept,) = graph.constants.values()
    assert np.shares_memory(kept, w)


def test_constant_by_reference_copies_host_memory_once_at_build():
    """A view of memory numpy does not own (a host framework's buffer) is copied when the
    graph is built, so the graph outlives the buffer; a builder that never builds (a
    support check) copies nothing."""
    ctx = webnn.ml.create_context()
    w = _weights()
    raw = (ctypes.c_uint8 * w.nbytes).from_buffer_copy(w.tobytes())
    view = np.frombuffer(raw, np.float32).reshape(w.shape)
    view.flags.writeable = False
    b = webnn.MLGraphBuilder(ctx)
    operand = b.constant(view, copy=False)
    assert np.shares_memory(b._constants[operand.id], view)  # no copy before build
    x = b.input("x", D("float32", [2, 4]))
    graph = b.build({"y": b.matmul(x, operand)})
    (kept,) = graph.constants.values()
    assert not np.shares_memory(kept, view) and kept.flags.owndata
    ctypes.memset(raw, 0, w.nbytes)  # the host frees or reuses its buffer
    np.testing.assert_allclose(ctx.compute(graph, {"x": np.ones((2, 4), np.float32)})["y"],
                               np.ones((2, 4), np.float32) @ w, rtol=1e-6)


def test_openvino_model_shares_the_graph_constants():
    ctx = webnn.ml.create_context()
    graph = _affine(ctx, _weights())
    (array,) = graph.constants.values()
    model = ov_backend.translate(graph)
    datas = [op.get_data() for op in model.get_ordered_ops()
             if op.get_type_name() == "Constant" and tuple(op.get_output_shape(0)) == (4, 3)]
    assert datas and all(np.shares_memory(d, array) for d in datas)


# -- OpenVINO's CACHE_DIR across processes ----------------------------------------------------

_CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import webnn_core as webnn
    from webnn_core.backends import openvino as ov_backend

    ctx = webnn.ml.create_context(cache_dir=sys.argv[1])
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", webnn.MLOperandDescriptor("float32", [1, 8]))
    w = b.constant(np.arange(64, dtype=np.float32).reshape(8, 8) / 64)
    graph = b.build({"y": b.relu(b.matmul(x, w)), "x2": b.identity(x)})
    compiled = ov_backend.OpenVINOBackend.compiled_model(graph)
    y = ctx.compute(graph, {"x": np.ones((1, 8), np.float32)})["y"]
    print(json.dumps({"loaded": bool(compiled.get_property("LOADED_FROM_CACHE")),
                      "counts": ov_backend.DISK_CACHE, "y": y.tolist()}))
""")


def _child(cache_dir: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(cache_dir)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cache_dir_is_reused_by_a_second_process(tmp_path):
    """The first process compiles and writes OpenVINO's cache; a second process building
    the same graph loads the compiled model from it (its names are deterministic: OpenVINO
    keys an in-memory model by its tensor names too)."""
    cache = tmp_path / "ov_cache"
    first = _child(cache)
    assert not first["loaded"] and first["counts"] == {"loaded": 0, "compiled": 1}
    assert any(cache.iterdir())
    second = _child(cache)
    assert second["loaded"] and second["counts"] == {"loaded": 1, "compiled": 0}
    assert second["y"] == first["y"]


def test_openvino_model_shares_bytes_backed_constants():
    """A read-only constant over an immutable ``bytes`` object (an ONNX initializer's data)
    is shared too, not copied: OpenVINO only needs the memory kept alive."""
    ctx = webnn.ml.create_context()
    w = _weights()
    view = np.frombuffer(w.tobytes(), np.float32).reshape(w.shape)
    graph = _affine(ctx, view, copy=False)
    (array,) = graph.constants.values()
    assert np.shares_memory(array, view)
    model = ov_backend.translate(graph)
    datas = [op.get_data() for op in model.get_ordered_ops()
             if op.get_type_name() == "Constant" and tuple(op.get_output_shape(0)) == (4, 3)]
    assert datas and all(d.ctypes.data == view.ctypes.data for d in datas)
    del view, array
    gc.collect()
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(ctx.compute(graph, {"x": x})["y"], np.maximum(x @ w, 0),
                               rtol=1e-6)
