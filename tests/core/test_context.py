"""MLContext, MLGraphBuilder core, MLTensor/dispatch, compiled-model cache and precision."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import BACKENDS, context
from webnn_core.backends import openvino as ov_backend
from webnn_core.backends.openvino import OpenVINOBackend

D = webnn.MLOperandDescriptor


def _relu_graph(ctx, shape=(2, 3)):
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D("float32", shape))
    return b.build({"y": b.max(x, b.constant("float32", 0))})


def test_create_context_options():
    assert webnn.ml.create_context().backend_name == "openvino"
    ctx = webnn.ml.create_context(backend="reference", power_preference="low-power",
                                  accelerated=False)
    assert ctx.backend_name == "reference" and ctx.power_preference == "low-power"
    with pytest.raises(TypeError, match="unknown option"):
        webnn.ml.create_context(devcie="CPU")
    with pytest.raises(TypeError, match="backend"):
        webnn.ml.create_context(backend="tensorflow")
    with pytest.raises(TypeError, match="power_preference"):
        webnn.ml.create_context(power_preference="fast")
    with pytest.raises(webnn.NotSupportedError, match="device"):
        webnn.ml.create_context(device="NPU.7")


def test_float32_graphs_compile_in_float32():
    """OpenVINO's CPU default on AVX512_BF16 is bf16; the context must ask for f32."""
    ctx = context("openvino")
    graph = _relu_graph(ctx)
    compiled = OpenVINOBackend.compiled_model(graph)
    assert str(compiled.get_property("INFERENCE_PRECISION_HINT")) in ("<Type: 'float32'>", "f32")


def test_reduced_precision_only_on_request():
    ctx = webnn.ml.create_context(precision="bfloat16")
    assert ctx.backend.config["INFERENCE_PRECISION_HINT"] == "bf16"
    with pytest.raises(webnn.NotSupportedError):
        webnn.ml.create_context(backend="reference", precision="float16")


def test_same_graph_compiles_once():
    ctx = webnn.ml.create_context()
    w = np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32)

    def build():
        b = webnn.MLGraphBuilder(ctx)
        x = b.input("x", D("float32", [4]))
        return b.build({"y": b.add(x, b.constant(w[0]))})

    g1, g2 = build(), build()
    assert OpenVINOBackend.compiled_model(g1) is OpenVINOBackend.compiled_model(g2)
    w[0, 0] += 1  # different constant data -> a different compiled model
    assert OpenVINOBackend.compiled_model(build()) is not OpenVINOBackend.compiled_model(g1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_compute_validates_inputs(backend):
    ctx = context(backend)
    graph = _relu_graph(ctx)
    x = np.ones((2, 3), np.float32)
    with pytest.raises(TypeError, match="missing"):
        ctx.compute(graph, {})
    with pytest.raises(TypeError, match="dtype"):
        ctx.compute(graph, {"x": x.astype(np.float64)})
    with pytest.raises(TypeError, match="shape"):
        ctx.compute(graph, {"x": x.reshape(3, 2)})
    with pytest.raises(TypeError, match="unknown"):
        ctx.compute(graph, {"x": x, "z": x})
    # non-contiguous input is accepted (copied once)
    out = ctx.compute(graph, {"x": np.ones((3, 2), np.float32).T})
    np.testing.assert_array_equal(out["y"], np.ones((2, 3)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_compute_from_threads(backend):
    ctx = context(backend)
    graph = _relu_graph(ctx, (64,))
    errors = []

    def work(seed):
        try:
            rng = np.random.default_rng(seed)
            for _ in range(20):
                x = rng.standard_normal(64).astype(np.float32)
                np.testing.assert_array_equal(ctx.compute(graph, {"x": x})["y"], np.maximum(x, 0))
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.mark.parametrize("backend", BACKENDS)
def test_outputs_are_fresh_arrays(backend):
    ctx = context(backend)
    graph = _relu_graph(ctx)
    a = ctx.compute(graph, {"x": np.ones((2, 3), np.float32)})["y"]
    b = ctx.compute(graph, {"x": np.full((2, 3), 2, np.float32)})["y"]
    assert a[0, 0] == 1 and b[0, 0] == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_tensors_and_dispatch(backend):
    ctx = context(backend)
    graph = _relu_graph(ctx)
    x = ctx.create_tensor(D("float32", [2, 3]), writable=True)
    y = ctx.create_tensor(D("float32", [2, 3]), readable=True)
    data = np.arange(-3, 3, dtype=np.float32).reshape(2, 3)
    ctx.write_tensor(x, data)
    ctx.dispatch(graph, {"x": x}, {"y": y})
    np.testing.assert_array_equal(ctx.read_tensor(y), np.maximum(data, 0))
    out = np.empty((2, 3), np.float32)
    assert ctx.read_tensor(y, out) is out
    with pytest.raises(TypeError, match="not readable"):
        ctx.read_tensor(x)
    with pytest.raises(TypeError, match="not writable"):
        ctx.write_tensor(y, data)
    with pytest.raises(TypeError, match="bytes"):
        ctx.write_tensor(x, np.zeros(5, np.float32))
    with pytest.raises(TypeError, match="both an input and an output"):
        ctx.dispatch(graph, {"x": x}, {"y": x})
    wrong = ctx.create_tensor(D("float32", [3, 2]), readable=True)
    with pytest.raises(TypeError, match="the graph expects"):
        ctx.dispatch(graph, {"x": x}, {"y": wrong})
    y.destroy()
    with pytest.raises(webnn.InvalidStateError):
        ctx.dispatch(graph, {"x": x}, {"y": y})


@pytest.mark.parametrize("backend", BACKENDS)
def test_constant_tensor(backend):
    ctx = context(backend)
    t = ctx.create_constant_tensor(D("float32", [3]), np.array([1, 2, 3], np.float32))
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D("float32", [3]))
    graph = b.build({"y": b.mul(x, b.constant(t))})
    out = ctx.compute(graph, {"x": np.full(3, 2, np.float32)})
    np.testing.assert_array_equal(out["y"], [2, 4, 6])
    plain = ctx.create_tensor(D("float32", [3]))
    with pytest.raises(TypeError, match="create_constant_tensor"):
        webnn.MLGraphBuilder(ctx).constant(plain)


def test_builder_rules():
    ctx = context("reference")
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D("float32", [2]))
    with pytest.raises(TypeError, match="already exists"):
        b.input("x", D("float32", [2]))
    with pytest.raises(TypeError, match="non-empty"):
        b.input("", D("float32", [2]))
    with pytest.raises(TypeError, match="invalid dimension"):
        b.input("z", D("float32", [2, 0]))
    with pytest.raises(TypeError, match="MLOperandDataType"):
        D("float64", [2])
    with pytest.raises(TypeError, match="elements"):
        b.constant(D("float32", [3]), np.zeros(2, np.float32))
    with pytest.raises(TypeError, match="identity"):
        b.build({"y": x})
    with pytest.raises(TypeError, match="non-empty"):
        b.build({})
    c = b.constant("int8", 300)  # MLNumber casting wraps
    assert c.shape == () and c.data_type == "int8"
    graph = b.build({"y": b.neg(x)})
    assert list(graph.inputs) == ["x"]
    with pytest.raises(webnn.InvalidStateError):
        b.neg(x)
    with pytest.raises(webnn.InvalidStateError):
        b.build({"y": x})


def test_graph_destroy_and_context_destroy():
    ctx = webnn.ml.create_context(backend="reference")
    graph = _relu_graph(ctx)
    graph.destroy()
    with pytest.raises(webnn.InvalidStateError):
        ctx.compute(graph, {"x": np.ones((2, 3), np.float32)})
    ctx.destroy()
    with pytest.raises(webnn.InvalidStateError):
        webnn.MLGraphBuilder(ctx)


def test_graph_from_other_context_rejected():
    graph = _relu_graph(context("reference"))
    with pytest.raises(TypeError, match="another context"):
        context("openvino").compute(graph, {"x": np.ones((2, 3), np.float32)})


@pytest.mark.parametrize("backend", BACKENDS)
def test_op_support_limits_shape(backend):
    limits = context(backend).op_support_limits()
    assert limits["preferred_input_layout"] in ("nchw", "nhwc")
    assert limits["input"]["rank_range"]["min"] == 0
    for key in ("a", "b", "output"):
        assert "float32" in limits["add"][key]["data_types"]
    assert limits["equal"]["output"]["data_types"] == ["uint8"]


def test_op_support_limits_cover_every_operator():
    from webnn_core.spec_tables import TENSOR_LIMITS

    for backend in BACKENDS:
        limits = context(backend).op_support_limits()
        missing = sorted(set(TENSOR_LIMITS) - set(limits))
        assert not missing, f"{backend} lacks {missing}"
        assert len(TENSOR_LIMITS) == 95


def test_compiled_cache_is_bounded():
    assert ov_backend._COMPILED_MAX >= 1
    assert len(ov_backend._COMPILED) <= ov_backend._COMPILED_MAX


def test_openvino_keeps_64_bit_values_exact():
    """OpenVINO's CPU plugin computes int64 in 32 bits: inputs or constants outside that range
    must still give exact results (the graph runs on the reference), not truncated ones."""
    ctx = context("openvino")
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D("int64", [3]))
    graph = b.build({"y": b.neg(x)})
    out = ctx.compute(graph, {"x": np.array([2**31 - 1, -5, 7], np.int64)})
    np.testing.assert_array_equal(out["y"], [-(2**31 - 1), 5, -7])
    out = ctx.compute(graph, {"x": np.array([2**40, -(2**50), 3], np.int64)})
    np.testing.assert_array_equal(out["y"], [-(2**40), 2**50, -3])
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D("uint32", [1]))
    graph = b.build({"y": b.add(x, b.constant(np.array([2**31 + 5], np.uint32)))})
    out = ctx.compute(graph, {"x": np.array([1], np.uint32)})
    np.testing.assert_array_equal(out["y"], [2**31 + 6])


def test_op_support_limits_is_a_fresh_dictionary():
    ctx = context("openvino")
    limits = ctx.op_support_limits()
    limits["max_pool2d"]["input"]["data_types"].append("int64")
    assert "int64" not in ctx.op_support_limits()["max_pool2d"]["input"]["data_types"]
    b = webnn.MLGraphBuilder(ctx)
    with pytest.raises(TypeError, match="not supported by the openvino backend"):
        b.max_pool2d(b.input("x", D("int64", [1, 1, 2, 2])))


@pytest.mark.parametrize("backend", BACKENDS)
def test_read_only_inputs(backend):
    """Regression: OpenVINO refuses to share read-only memory (np.frombuffer, views)."""
    ctx = context(backend)
    graph = _relu_graph(ctx)
    x = np.frombuffer(np.arange(-3, 3, dtype=np.float32).tobytes(), np.float32).reshape(2, 3)
    assert not x.flags.writeable
    np.testing.assert_array_equal(ctx.compute(graph, {"x": x})["y"], np.maximum(x, 0))
