"""The WebNN execution provider in ONNX Runtime: registration, selection, options,
partitioning, results, symbolic shapes and error handling."""

from __future__ import annotations

import importlib
import logging

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from tests.providers.onnxruntime._ort_models import (
    EP,
    IR_VERSION,
    add_mul,
    all_double,
    compare_bool,
    cpu_run,
    make_model,
    mixed,
    tensor,
    webnn_session,
)

RNG = np.random.default_rng(7)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# -- registration and selection ---------------------------------------------------------------
def test_register_is_idempotent(webnn_ort):
    webnn_ort.register()
    webnn_ort.register()
    assert webnn_ort.is_registered()
    devices = [d for d in ort.get_ep_devices() if d.ep_name == EP]
    assert len(devices) == 1
    assert devices[0].device.type == ort.OrtHardwareDeviceType.CPU
    assert devices[0].ep_vendor == "webnn-providers"


@pytest.mark.parametrize("providers", [
    [(EP, {"backend": "openvino", "device": "CPU"}), "CPUExecutionProvider"],
    [EP, "CPUExecutionProvider"],
    [(EP, {"backend": "reference"}), "CPUExecutionProvider"],
])
def test_providers_argument(webnn_ort, providers):
    model = add_mul()
    session = ort.InferenceSession(model.SerializeToString(), providers=providers)
    assert session.get_providers() == [EP, "CPUExecutionProvider"]
    x = _x(2, 3)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], cpu_run(model, {"x": x})[0],
                               rtol=1e-6)


def test_add_provider(webnn_ort):
    model = add_mul()
    so = ort.SessionOptions()
    so.add_provider(EP, {"backend": "openvino", "precision": "float32"})
    session = ort.InferenceSession(model.SerializeToString(), so)
    assert session.get_providers() == [EP, "CPUExecutionProvider"]
    x = _x(4, 3)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], (x + [1, -2, 3]) * x, rtol=1e-6)


def test_add_provider_for_devices(webnn_ort):
    model = add_mul()
    devices = [d for d in ort.get_ep_devices() if d.ep_name == EP]
    so = ort.SessionOptions()
    so.add_provider_for_devices(devices, {"backend": "reference"})
    session = ort.InferenceSession(model.SerializeToString(), so)
    assert session.get_providers() == [EP, "CPUExecutionProvider"]
    x = _x(1, 3)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], (x + [1, -2, 3]) * x, rtol=1e-6)


# -- provider options ------------------------------------------------------------------------
@pytest.mark.parametrize(("options", "message"), [
    ({"bogus": "1"}, "unknown option(s) bogus"),
    ({"backend": "cuda"}, "backend"),
    ({"precision": "int4"}, "precision"),
    ({"power_preference": "fast"}, "power_preference"),
    ({"device": "NO_SUCH_DEVICE"}, "NO_SUCH_DEVICE"),
    ({"backend": "reference", "device": "GPU"}, "reference backend"),
])
def test_bad_options_fail_session_creation(webnn_ort, options, message):
    with pytest.raises(Exception, match="WebNNExecutionProvider") as info:
        webnn_session(add_mul(), options, enable_fallback=0)
    text = str(info.value)
    assert "INVALID_ARGUMENT" in text and message in text


def test_bad_option_through_add_provider_for_devices(webnn_ort):
    devices = [d for d in ort.get_ep_devices() if d.ep_name == EP]
    so = ort.SessionOptions()
    so.add_provider_for_devices(devices, {"cache": "/tmp"})
    with pytest.raises(Exception, match=r"unknown option\(s\) cache"):
        ort.InferenceSession(add_mul().SerializeToString(), so, enable_fallback=0)


def test_bad_option_with_python_fallback(webnn_ort, capsys):
    # onnxruntime's Python wrapper retries on the CPU EP by default; the error is printed
    session = webnn_session(add_mul(), {"backend": "cuda"})
    assert session.get_providers() == ["CPUExecutionProvider"]
    assert "WebNNExecutionProvider" in capsys.readouterr().out


def test_cache_dir_option(webnn_ort, tmp_path):
    session = webnn_session(add_mul(), {"cache_dir": str(tmp_path)})
    x = _x(2, 3)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], (x + [1, -2, 3]) * x, rtol=1e-6)


# -- partitioning -----------------------------------------------------------------------------
def test_mixed_model_alternating_partitions(webnn_ort):
    model = mixed()
    so = ort.SessionOptions()
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    session = webnn_session(model, session_options=so)
    x = _x(2, 4)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], cpu_run(model, {"x": x})[0],
                               rtol=1e-6)
    by_ep: dict[str, list[list[str]]] = {}
    for subgraph in session.get_provider_graph_assignment_info():
        by_ep.setdefault(subgraph.ep_name, []).append([n.name for n in subgraph.get_nodes()])
    assert sorted(by_ep[EP]) == [["add"], ["mul"], ["sub"]]
    cpu_nodes = {name for group in by_ep["CPUExecutionProvider"] for name in group}
    assert {"to64", "abs64", "to32", "to64b", "mul64", "to32b"} <= cpu_nodes


def test_model_without_supported_nodes(webnn_ort):
    session = webnn_session(all_double())
    x = np.arange(3, dtype=np.float64)
    np.testing.assert_array_equal(session.run(None, {"x": x})[0], 2 * x)


def test_partition_report(webnn_ort, tmp_path):
    import onnx

    path = tmp_path / "mixed.onnx"
    onnx.save(mixed(), path)
    report = webnn_ort.partition_report(str(path), backend="openvino", device="CPU")
    assert len(report.nodes) == 9
    names = [[report.nodes[i].name for i in group] for group in report.partitions]
    assert names == [["add"], ["mul"], ["sub"]]
    fallback = {n.name: n for n in report.fallback}
    assert set(fallback) == {"to64", "abs64", "to32", "to64b", "mul64", "to32b"}
    assert all(n.kind == "dtype" and n.reason for n in fallback.values())
    data = report.as_dict()
    assert data["num_nodes"] == 9 and data["num_supported"] == 3
    assert [p["nodes"] for p in data["partitions"]] == [["add"], ["mul"], ["sub"]]
    assert {f["name"] for f in data["fallback"]} == set(fallback)
    assert "3 of 9 nodes in 3 partition(s)" in report.summary()
    # a ModelProto works too, and one partition when everything is supported
    single = webnn_ort.partition_report(add_mul(), backend="reference")
    assert single.partitions == [[0, 1]] and not single.fallback


def test_partition_report_bad_option(webnn_ort):
    with pytest.raises(webnn_ort.OptionError, match="unknown option"):
        webnn_ort.partition_report(add_mul(), speed="max")
    with pytest.raises(webnn_ort.OptionError, match="backend"):
        webnn_ort.partition_report(add_mul(), backend="tpu")


def test_report_logged_at_session_creation(webnn_ort, caplog):
    with caplog.at_level(logging.INFO, logger="webnn"):
        webnn_session(mixed())
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "webnn")
    assert "takes 3 of 9 nodes in 3 partition(s)" in text
    assert "abs64" in text and "[dtype]" in text


# -- data types and shapes --------------------------------------------------------------------
def test_bool_and_int_outputs(webnn_ort):
    model = compare_bool()
    session = webnn_session(model)
    feeds = {"x": _x(3, 4), "z": _x(4), "i": np.array([-3, 0, 7, -2**20, 5], np.int32)}
    got = session.run(None, feeds)
    want = cpu_run(model, feeds)
    assert got[0].dtype == np.bool_
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_symbolic_batch_two_sizes(webnn_ort):
    model = add_mul("batch")
    session = webnn_session(model)
    for batch in (2, 5, 2, 1):
        x = _x(batch, 3)
        (y,) = session.run(None, {"x": x})
        assert y.shape == (batch, 3)
        np.testing.assert_allclose(y, (x + [1, -2, 3]) * x, rtol=1e-6)


def _empty_batch_model() -> onnx.ModelProto:
    """x[N, 4] -> MatMul -> Add -> Relu -> r[N, 3]; ReduceSum over N (non-empty output, zeros
    for N = 0, axes as an input: opset 13+), Softmax over the last axis, a bool Greater and
    a Shape: all in one WebNN partition for N > 0."""
    w = numpy_helper.from_array(RNG.standard_normal((4, 3)).astype(np.float32), "w")
    b = numpy_helper.from_array(np.array([0.5, -1.0, 2.0], np.float32), "b")
    axes = numpy_helper.from_array(np.array([0], np.int64), "axes")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]),
             helper.make_node("Add", ["m", "b"], ["a"]),
             helper.make_node("Relu", ["a"], ["r"]),
             helper.make_node("ReduceSum", ["r", "axes"], ["s"], keepdims=0),
             helper.make_node("Softmax", ["a"], ["p"], axis=-1),
             helper.make_node("Greater", ["a", "b"], ["g"])]
    outputs = [tensor("r", TensorProto.FLOAT, ["N", 3]), tensor("s", TensorProto.FLOAT, [3]),
               tensor("p", TensorProto.FLOAT, ["N", 3]), tensor("g", TensorProto.BOOL, ["N", 3])]
    return make_model(nodes, [tensor("x", TensorProto.FLOAT, ["N", 4])], outputs, [w, b, axes],
                      opset=18)


def test_symbolic_batch_of_zero_rows(webnn_ort):
    """WebNN has no empty tensors: a call with an empty input runs the partition on ONNX
    Runtime's CPU kernels (outputs with their right shapes, the reduction's zeros); calls
    with rows before and after still run on WebNN."""
    model = _empty_batch_model()
    so = ort.SessionOptions()
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    session = webnn_session(model, {"backend": "openvino"}, session_options=so)
    assigned = session.get_provider_graph_assignment_info()
    assert [sub.ep_name for sub in assigned] == [EP]
    for batch in (2, 0, 3, 0):
        x = _x(batch, 4)
        got, want = session.run(None, {"x": x}), cpu_run(model, {"x": x})
        for g, w in zip(got, want, strict=True):
            assert g.shape == w.shape and g.dtype == w.dtype, (batch, g.shape, w.shape)
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def _empty_batch_cast_like_model() -> onnx.ModelProto:
    """x[N, 4] -> Relu -> CastLike (opset 25, with its ``round_mode``/``saturate``
    attributes) to float16 -> Mul: one WebNN partition for N > 0. ``onnx.reference`` cannot
    run such a CastLike; the host's kernels can."""
    like = numpy_helper.from_array(np.zeros(1, np.float16), "like")
    two = numpy_helper.from_array(np.array([2.0], np.float16), "two")
    nodes = [helper.make_node("Relu", ["x"], ["r"]),
             helper.make_node("CastLike", ["r", "like"], ["c"], round_mode="up", saturate=1),
             helper.make_node("Mul", ["c", "two"], ["y"])]
    return make_model(nodes, [tensor("x", TensorProto.FLOAT, ["N", 4])],
                      [tensor("y", TensorProto.FLOAT16, ["N", 4])], [like, two], opset=25)


def _empty_batch_skip_layer_norm_model() -> onnx.ModelProto:
    """x[N, 8] -> com.microsoft SkipLayerNormalization -> Relu (a contrib op the WebNN
    translator takes; onnx.reference has no com.microsoft ops)."""
    gamma = numpy_helper.from_array(RNG.standard_normal(8).astype(np.float32), "gamma")
    beta = numpy_helper.from_array(RNG.standard_normal(8).astype(np.float32), "beta")
    nodes = [helper.make_node("SkipLayerNormalization", ["x", "skip", "gamma", "beta"], ["s"],
                              domain="com.microsoft", epsilon=1e-5),
             helper.make_node("Relu", ["s"], ["y"])]
    graph = helper.make_graph(nodes, "g", [tensor("x", TensorProto.FLOAT, ["N", 2, 8]),
                                           tensor("skip", TensorProto.FLOAT, ["N", 2, 8])],
                              [tensor("y", TensorProto.FLOAT, ["N", 2, 8])], [gamma, beta])
    return helper.make_model(graph, ir_version=IR_VERSION, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])


@pytest.mark.parametrize("build", [_empty_batch_cast_like_model,
                                   _empty_batch_skip_layer_norm_model])
def test_zero_rows_through_ops_onnx_reference_lacks(webnn_ort, build):
    """A zero-row call through a partition WebNN took runs on ONNX Runtime's own kernels:
    also for nodes ``onnx.reference`` cannot run (opset-25 CastLike attributes, contrib
    ops). Before the fix the empty path used onnx.reference and the run failed."""
    model = build()
    so = ort.SessionOptions()
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    session = webnn_session(model, {"backend": "openvino"}, session_options=so)
    assert [sub.ep_name for sub in session.get_provider_graph_assignment_info()] == [EP]
    names = [i.name for i in model.graph.input]
    for batch in (0, 3, 0, 1):
        feeds = {n: _x(batch, *[d.dim_value for d in i.type.tensor_type.shape.dim[1:]])
                 for n, i in zip(names, model.graph.input, strict=True)}
        got, want = session.run(None, feeds), cpu_run(model, feeds)
        for g, w in zip(got, want, strict=True):
            assert g.shape == w.shape and g.dtype == w.dtype, (batch, g.shape, w.shape)
            np.testing.assert_allclose(g.astype(np.float32), w.astype(np.float32),
                                       rtol=1e-3, atol=1e-5)


def test_free_dimension_override(webnn_ort):
    so = ort.SessionOptions()
    so.add_free_dimension_override_by_name("batch", 4)
    session = webnn_session(add_mul("batch"), session_options=so)
    x = _x(4, 3)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], (x + [1, -2, 3]) * x, rtol=1e-6)


def test_optimizations_disabled(webnn_ort):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    model = mixed()
    session = webnn_session(model, session_options=so)
    x = _x(2, 4)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], cpu_run(model, {"x": x})[0],
                               rtol=1e-6)


# -- errors inside callbacks become ORT errors ---------------------------------------------------
def _boom(*args, **kwargs):
    raise RuntimeError("translator exploded")


def test_exception_in_get_capability(webnn_ort, monkeypatch, capfd):
    # ORT logs a failed GetCapability and leaves the graph to the other providers
    translator = importlib.import_module("webnn_providers.onnx.translator")
    translator._load_ops()
    entries = [translator.OpEntry(_boom, "", 1, None)]
    monkeypatch.setitem(translator._REGISTRY, ("", "Add"), entries)
    so = ort.SessionOptions()
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    session = webnn_session(add_mul(), session_options=so, enable_fallback=0)
    assert "get_capability failed: RuntimeError: translator exploded" in capfd.readouterr().err
    assigned = {s.ep_name for s in session.get_provider_graph_assignment_info()}
    assert assigned == {"CPUExecutionProvider"}
    x = _x(2, 3)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], (x + [1, -2, 3]) * x, rtol=1e-6)


def test_exception_in_compile(webnn_ort, monkeypatch):
    from webnn_providers.onnxruntime import _kernel

    monkeypatch.setattr(_kernel, "build_graph", _boom)
    with pytest.raises(Exception, match="compile failed: RuntimeError: translator exploded"):
        webnn_session(add_mul(2), enable_fallback=0)


def test_exception_in_lazy_compile_and_compute(webnn_ort, monkeypatch):
    from webnn_providers.onnxruntime import _kernel

    session = webnn_session(add_mul("N"))
    monkeypatch.setattr(_kernel, "build_graph", _boom)
    with pytest.raises(Exception, match="compute failed: RuntimeError: translator exploded"):
        session.run(None, {"x": _x(3, 3)})
    monkeypatch.undo()
    x = _x(3, 3)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], (x + [1, -2, 3]) * x, rtol=1e-6)


def test_exception_in_dispatch(webnn_ort, monkeypatch):
    from webnn_providers.onnxruntime._state import _State

    before = set(_State.kernels)
    session = webnn_session(add_mul(2))
    kernels = [k for a, k in _State.kernels.items() if a not in before]
    assert kernels and all(k.static is not None for k in kernels)
    for kernel in kernels:
        monkeypatch.setattr(kernel.static, "dispatch", _boom)
    with pytest.raises(Exception, match="compute failed: RuntimeError: translator exploded"):
        session.run(None, {"x": _x(2, 3)})
    monkeypatch.undo()
    x = _x(2, 3)
    np.testing.assert_allclose(session.run(None, {"x": x})[0], (x + [1, -2, 3]) * x, rtol=1e-6)


def test_wrong_input_shape_is_an_ort_error(webnn_ort):
    session = webnn_session(add_mul(2))
    with pytest.raises(Exception, match="(?i)dimension|shape"):
        session.run(None, {"x": _x(3, 3)})


# -- lifecycle ------------------------------------------------------------------------------
def test_session_release_frees_ep_and_kernels(webnn_ort):
    import gc

    from webnn_providers.onnxruntime._state import _State

    gc.collect()
    eps, kernels = len(_State.eps), len(_State.kernels)
    for _ in range(3):
        session = webnn_session(mixed())
        session.run(None, {"x": _x(2, 4)})
        assert len(_State.kernels) == kernels + 3
        del session
        gc.collect()
    assert (len(_State.eps), len(_State.kernels)) == (eps, kernels)


_SUBPROCESS = r'''
import numpy as np, onnxruntime as ort, sys
sys.path.insert(0, sys.argv[1])
from tests.providers.onnxruntime._ort_models import add_mul
import webnn_providers.onnxruntime as webnn_ort

# the library alone, before Python installed its callbacks: an ORT error, not a crash
try:
    ort.register_execution_provider_library("early", webnn_ort.library_path())
except Exception as exc:
    print("EARLY:", exc)
webnn_ort.register()
webnn_ort.unregister()
assert "WebNNExecutionProvider" not in [d.ep_name for d in ort.get_ep_devices()]
webnn_ort.register()
s = ort.InferenceSession(add_mul().SerializeToString(),
                         providers=["WebNNExecutionProvider", "CPUExecutionProvider"])
print("PROVIDERS:", s.get_providers())
print("RESULT:", s.run(None, {"x": np.ones((2, 3), np.float32)})[0].tolist())
'''


def test_library_before_python_and_reregistration(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "lifecycle.py"
    script.write_text(_SUBPROCESS)
    done = subprocess.run([sys.executable, str(script), str(Path(__file__).parents[3])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "EARLY:" in done.stdout and "without its Python side" in done.stdout
    assert "PROVIDERS: ['WebNNExecutionProvider', 'CPUExecutionProvider']" in done.stdout
    assert "RESULT: [[2.0, -1.0, 4.0], [2.0, -1.0, 4.0]]" in done.stdout


# -- buffer binding of the OpenVINO backend (what Compute relies on) --------------------------
def test_openvino_dispatch_binds_buffers_by_identity_and_address():
    """The fused kernel hands the same numpy views while ORT reuses its buffers; the
    OpenVINO backend then skips rebinding. Every other case must still read and write the
    memory passed in this call: new arrays, another view of the same memory, read-only
    inputs (copied per call), contents changed in place."""
    import webnn_core as webnn

    ctx = webnn.ml.create_context()
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", webnn.MLOperandDescriptor("float32", [2, 3]))
    graph = b.build({"y": b.mul(b.add(x, b.constant(np.ones((2, 3), np.float32))), x)})
    dispatch = graph.dispatch_arrays

    def check(xv: np.ndarray, yv: np.ndarray) -> None:
        dispatch({"x": xv}, {"y": yv})
        np.testing.assert_array_equal(yv, (np.asarray(xv) + 1) * np.asarray(xv))

    xa, ya = _x(2, 3), np.empty((2, 3), np.float32)
    check(xa, ya)
    xa[...] = _x(2, 3)  # same objects, new contents
    check(xa, ya)
    check(_x(2, 3), np.empty((2, 3), np.float32))  # new arrays
    alias_x = np.frombuffer(xa.data, np.float32).reshape(2, 3)  # same memory, new objects
    xa[...] = _x(2, 3)
    alias_y = np.frombuffer(ya.data, np.float32).reshape(2, 3)
    check(alias_x, alias_y)
    frozen = xa.view()
    frozen.flags.writeable = False
    check(frozen, ya)
    xa[...] = _x(2, 3)  # a read-only input's memory changed under the same address
    check(frozen, ya)
    check(xa, ya)
