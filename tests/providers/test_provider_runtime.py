"""The provider runtime shared by the three hosts (webnn_providers.runtime), and issue 13's
"done when": a backend registered at run time by name serves the ``backend=`` option of the
ONNX Runtime EP, the TFLite delegate and the OpenCV backend, with correct results."""

from __future__ import annotations

import threading

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from webnn_providers import runtime
from webnn_providers.runtime import MAX_SHAPES, OPTIONS, VariantCache, ViewCache

import webnn_core as webnn

_backends = pytest.importorskip("webnn_core.backends")
#: the backend seam of issue 13 part 1; the hosts' tests below skip until it exists
register_backend = getattr(_backends, "register_backend", None)
needs_registry = pytest.mark.skipif(register_backend is None,
                                    reason="webnn_core.backends.register_backend not there yet")

ProviderOptionError = runtime.ProviderOptionError
UnknownOptionError = runtime.UnknownOptionError
NAME = "ref2"
RNG = np.random.default_rng(13)


# -- options ----------------------------------------------------------------------------------
def test_one_options_table_for_every_host():
    import webnn_providers.onnxruntime as webnn_ort
    import webnn_providers.tflite as webnn_tflite
    from webnn_providers import opencv as webnn_cv

    assert OPTIONS == ("backend", "device", "power_preference", "precision", "cache_dir")
    assert webnn_ort.OPTIONS is webnn_tflite.OPTIONS is webnn_cv.OPTIONS is OPTIONS
    assert webnn_ort.OptionError is webnn_tflite.DelegateOptionError is ProviderOptionError
    assert [o.name for o in runtime.OPTION_TABLE] == list(OPTIONS)


def test_parse_options_strings_and_python_values(tmp_path):
    parsed = runtime.parse_options({"backend": "reference", "device": None, "cache_dir": tmp_path,
                                    "precision": ""}, "host")
    assert parsed == {"backend": "reference", "cache_dir": str(tmp_path)}
    with pytest.raises(UnknownOptionError, match=r"^host: unknown option\(s\) colour; known"):
        runtime.parse_options({"colour": "red"}, "host")
    assert issubclass(UnknownOptionError, TypeError)
    with pytest.raises(ProviderOptionError, match=r"^host: invalid options \(precision=16\): "
                                                  "precision must be a string, not int"):
        runtime.parse_options({"precision": 16}, "host")


def test_create_context_wraps_the_backends_refusal():
    with pytest.raises(ProviderOptionError, match=r"^h: invalid options \(backend='nope'\): "):
        runtime.create_context({"backend": "nope"}, "h")
    with pytest.raises(ProviderOptionError, match="invalid options"):
        runtime.create_context({"backend": "reference", "precision": "int3"}, "h")
    assert runtime.create_context({"backend": "reference"}, "h").backend_name == "reference"


# -- caches -----------------------------------------------------------------------------------
def test_variant_cache_is_a_bounded_lru():
    built = []
    cache: VariantCache[int, str] = VariantCache()

    def build(key: int) -> str:
        built.append(key)
        return f"v{key}"

    assert MAX_SHAPES == 8 and cache.max_size == MAX_SHAPES
    for key in range(MAX_SHAPES):
        assert cache.get(key, build) == f"v{key}"
    assert cache.get(0, build) == "v0" and built == list(range(MAX_SHAPES))  # a hit
    cache.get(MAX_SHAPES, build)  # evicts 1, the least recently used
    assert 1 not in cache and 0 in cache and len(cache) == MAX_SHAPES
    assert cache.values()[-1] == f"v{MAX_SHAPES}"
    cache.put(99, "seed")
    assert cache.get(99, build) == "seed"
    cache.clear()
    assert len(cache) == 0


def test_variant_cache_builds_a_key_once_across_threads():
    cache: VariantCache[int, object] = VariantCache()
    calls = []
    barrier = threading.Barrier(4)

    def build(key: int) -> object:
        calls.append(key)
        return object()

    def worker(results: list) -> None:
        barrier.wait()
        results.append(cache.get(7, build))

    results: list = []
    threads = [threading.Thread(target=worker, args=(results,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [7] and len({id(r) for r in results}) == 1


def test_view_cache_reuses_a_view_while_the_address_stays():
    buffer = np.arange(12, dtype=np.float32)
    other = np.zeros(12, np.float32)
    views = ViewCache()
    f32 = np.dtype(np.float32)
    first = views.view("input 0", buffer.ctypes.data, (3, 4), f32)
    assert views.view("input 0", buffer.ctypes.data, (3, 4), f32) is first
    np.testing.assert_array_equal(first, buffer.reshape(3, 4))  # no copy: the same memory
    assert views.view("input 0", buffer.ctypes.data, (4, 3), f32).shape == (4, 3)
    moved = views.view("input 0", other.ctypes.data, (4, 3), f32)
    assert moved.ctypes.data == other.ctypes.data
    with pytest.raises(RuntimeError, match="tensor 3 has 8 bytes, WebNN needs 48"):
        views.view("tensor 3", buffer.ctypes.data, (3, 4), f32, capacity=8)
    with pytest.raises(RuntimeError, match="tensor 4 has no buffer"):
        views.view("tensor 4", 0, (3, 4), f32)


# -- a backend registered at run time serves every host -------------------------------------
@pytest.fixture(scope="module")
def ref2() -> str:
    """The reference backend's class under a new name, registered at run time."""
    from webnn_core.backends.reference import ReferenceBackend

    register_backend(NAME, ReferenceBackend)  # type: ignore[misc]
    return NAME


@pytest.fixture(scope="module", params=["ref2", "xla"])
def served(request, ref2) -> str:
    """The backend each host is asked for by name: the run-time registered one, and the XLA
    backend on XLA:CPU (issue 16: every host takes ``backend="xla"``) where jax is
    installed."""
    if request.param == "xla":
        pytest.importorskip("jax", reason="the xla extra (jax) is not installed")
    return request.param


def _onnx_model() -> onnx.ModelProto:
    """x[1, 3, 6, 6] -> Conv -> Relu -> Add(x-independent constant) -> Sigmoid -> y."""
    w = numpy_helper.from_array(RNG.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    b = numpy_helper.from_array(RNG.standard_normal(4).astype(np.float32), "b")
    c = numpy_helper.from_array(RNG.standard_normal((1, 4, 1, 1)).astype(np.float32), "c")
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["conv"], pads=[1, 1, 1, 1],
                              kernel_shape=[3, 3], name="conv"),
             helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
             helper.make_node("Add", ["relu", "c"], ["add"], name="add"),
             helper.make_node("Sigmoid", ["add"], ["y"], name="sigmoid")]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])], [w, b, c])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                             ir_version=9)


def _x() -> np.ndarray:
    return RNG.standard_normal((1, 3, 6, 6)).astype(np.float32)


@needs_registry
def test_registered_backend_serves_create_context(ref2):
    context = webnn.ml.create_context(backend=ref2)
    assert context.backend_name == ref2
    assert runtime.create_context({"backend": ref2}, "h").backend_name == ref2


@needs_registry
def test_registered_backend_serves_the_ort_ep(served):
    ort = pytest.importorskip("onnxruntime")
    import webnn_providers.onnxruntime as webnn_ort
    from webnn_providers.onnxruntime._state import _State

    webnn_ort.register()
    model = _onnx_model().SerializeToString()
    before = set(_State.eps)
    session = ort.InferenceSession(model, providers=[
        ("WebNNExecutionProvider", {"backend": served}), "CPUExecutionProvider"])
    eps = [ep for address, ep in _State.eps.items() if address not in before]
    assert [ep.context.backend_name for ep in eps] == [served]
    assert eps[0].reports[-1].num_supported == 4, eps[0].reports[-1].summary()
    host = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    x = _x()
    np.testing.assert_allclose(session.run(None, {"x": x})[0], host.run(None, {"x": x})[0],
                               rtol=1e-5, atol=1e-6)


@needs_registry
def test_registered_backend_serves_the_tflite_delegate(served):
    writer = pytest.importorskip("webnn_providers.testing.tflite_writer")
    from webnn_providers.tflite import WebNNDelegate

    m = writer.ModelWriter()
    a = m.input("a", [2, 5], "float32")
    b = m.input("b", [2, 5], "float32")
    c = m.tensor("c", [2, 5], "float32")
    m.op("ADD", [a, b], [c], fused_activation_function="RELU6")
    d = m.tensor("d", [2, 5], "float32")
    m.op("MUL", [c, a], [d])
    m.output(d)
    data = m.finish()
    inputs = [RNG.uniform(-4, 8, (2, 5)).astype(np.float32) for _ in range(2)]
    delegate = WebNNDelegate(backend=served)
    assert delegate.context.backend_name == served
    got = writer.run(data, inputs, delegates=[delegate], builtin_only=True)
    want = writer.run(data, inputs, builtin_only=True)
    report = delegate.partition_report()
    assert report is not None and report.num_supported == 2, report
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)


@needs_registry
def test_registered_backend_serves_the_opencv_backend(served):
    cv2 = pytest.importorskip("cv2")
    from webnn_providers import opencv as webnn_cv

    model = _onnx_model().SerializeToString()
    net = webnn_cv.readNet(model, backend=served)
    assert net._context.backend_name == served
    net.setPreferableBackend(webnn_cv.DNN_BACKEND_WEBNN)
    assert net.partition_report().num_supported == 4
    plain = cv2.dnn.readNetFromONNX(np.frombuffer(model, np.uint8))
    plain.enableWinograd(False)
    x = _x()
    net.setInput(x)
    plain.setInput(x)
    np.testing.assert_allclose(net.forward(), plain.forward(), rtol=1e-5, atol=1e-6)
