"""The OpenCV DNN WebNN backend as a user meets it: readNet variants and options, the
cv2.dnn.Net methods, switching backends, errors (issue 5)."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from webnn_providers import opencv as webnn_cv
from webnn_providers.opencv import _layer

#: OpenCV 5's Net API differs: setInput takes no scale or mean, forward names tensors
#: (not layers), layer ids start at 0
V5 = webnn_cv.OPENCV_MAJOR >= 5

WEBNN = cv2.dnn.DNN_BACKEND_WEBNN
RNG = np.random.default_rng(7)


def _layer_types(net: object) -> set[str]:
    first = 0 if V5 else 1  # OpenCV 4's id 0 is its input layer
    return {net.getLayer(i).type for i in range(first, first + len(net.getLayerNames()))}


def _conv_model(refused_middle: bool = True, batch: int | str = 1) -> onnx.ModelProto:
    """x -> Conv -> Relu -> [Cast f64 -> Cast f32 (refused)] -> Sigmoid -> Add(relu) -> y."""
    w = numpy_helper.from_array(RNG.standard_normal((8, 3, 3, 3)).astype(np.float32), "w")
    b = numpy_helper.from_array(RNG.standard_normal(8).astype(np.float32), "b")
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1],
                              kernel_shape=[3, 3], name="conv1"),
             helper.make_node("Relu", ["c"], ["r"], name="relu1")]
    mid = "r"
    if refused_middle:
        nodes += [helper.make_node("Cast", ["r"], ["rd"], to=TensorProto.DOUBLE, name="to64"),
                  helper.make_node("Cast", ["rd"], ["r2"], to=TensorProto.FLOAT, name="to32")]
        mid = "r2"
    nodes += [helper.make_node("Sigmoid", [mid], ["s"], name="sig"),
              helper.make_node("Add", ["s", "r"], ["y"], name="add")]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 8, 8, 8])], [w, b])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _plain(model: onnx.ModelProto) -> cv2.dnn.Net:
    net = cv2.dnn.readNetFromONNX(np.frombuffer(model.SerializeToString(), np.uint8))
    net.enableWinograd(False)  # its 3x3 Winograd convs are off by ~4e-5 relative
    return net


def _reference(model: onnx.ModelProto, x: np.ndarray, *args: object) -> np.ndarray:
    net = _plain(model)
    net.setInput(x, "", *args)
    return net.forward()


def _webnn(model: onnx.ModelProto, **options: object) -> webnn_cv.WebNNNet:
    net = webnn_cv.readNetFromONNX(model.SerializeToString(), **options)
    net.setPreferableBackend(WEBNN)
    return net


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cv") / "model.onnx"
    onnx.save(_conv_model(), str(path))
    return str(path)


def test_readnet_path_runs_partitions_and_matches_opencv(model_path: str) -> None:
    net = webnn_cv.readNet(model_path)
    net.setPreferableBackend(WEBNN)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    net.setInput(x)
    out = net.forward()
    np.testing.assert_allclose(out, _reference(onnx.load(model_path), x), rtol=1e-5, atol=1e-5)
    report = net.partition_report()
    assert report.num_supported == 4 and len(report.partitions) == 2
    assert {n.op_type for n in report.fallback} == {"Cast"}
    assert "WebNNPartition" in _layer_types(net)


@pytest.mark.parametrize("source", ["bytes", "ndarray", "bytearray"])
def test_readnet_from_buffers(source: str) -> None:
    model = _conv_model()
    data = model.SerializeToString()
    buffer = {"bytes": data, "ndarray": np.frombuffer(data, np.uint8),
              "bytearray": bytearray(data)}[source]
    net = webnn_cv.readNetFromONNX(buffer)
    net.setPreferableBackend(WEBNN)
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    net.setInput(x)
    np.testing.assert_allclose(net.forward(), _reference(model, x), rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(V5, reason="OpenCV 5's setInput takes no scalefactor or mean")
def test_set_input_with_name_scale_and_mean_as_opencv() -> None:
    model = _conv_model()
    x = RNG.uniform(0, 255, (1, 3, 8, 8)).astype(np.float32)
    net = _webnn(model)
    net.setInput(x, "x", 1 / 255, (10, 20, 30))
    expected = _reference(model, x, 1 / 255, (10, 20, 30))
    np.testing.assert_allclose(net.forward(), expected, rtol=1e-5, atol=1e-5)


def test_blob_from_image_pipeline() -> None:
    model = _conv_model()
    image = RNG.integers(0, 255, (20, 30, 3), dtype=np.uint8)
    blob = cv2.dnn.blobFromImage(image, 1 / 255, (8, 8), swapRB=True)
    net = _webnn(model)
    net.setInput(blob)
    np.testing.assert_allclose(net.forward(), _reference(model, blob), rtol=1e-5, atol=1e-5)


def test_inputs_set_before_switching_backends_are_replayed() -> None:
    model = _conv_model()
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    net = webnn_cv.readNetFromONNX(model.SerializeToString())
    net.setInput(x)
    plain = net.forward()
    net.setPreferableBackend(WEBNN)
    np.testing.assert_allclose(net.forward(), plain, rtol=1e-5, atol=1e-5)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    assert "WebNNPartition" not in _layer_types(net)
    np.testing.assert_array_equal(net.forward(), plain)


def test_forward_names_inside_a_partition_are_exposed() -> None:
    model = _conv_model(refused_middle=False)  # one partition: everything
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    plain = _plain(model)
    plain.setInput(x)
    inner = "r" if V5 else "onnx_node!relu1"  # OpenCV 5 names tensors
    names = [inner, "y"]
    if V5:  # OpenCV 5.1 cannot forward an inner tensor itself (an assertion)
        from onnx.reference import ReferenceEvaluator

        expected = ReferenceEvaluator(model).run(["r", "y"], {"x": x})
    else:
        expected = plain.forward(names)
    net = _webnn(model)
    assert len(net.partition_report().partitions) == 1
    net.setInput(x)
    outs = net.forward(names)
    assert len(outs) == 2
    for got, want in zip(outs, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert V5 or inner in net.getLayerNames()
    np.testing.assert_allclose(net.forward(inner), expected[0], rtol=1e-5, atol=1e-5)


def test_unconnected_out_layers_and_perf_profile() -> None:
    net = _webnn(_conv_model())
    assert net.getUnconnectedOutLayersNames() == ("y",)
    net.setInput(RNG.standard_normal((1, 3, 8, 8)).astype(np.float32))
    net.forward()
    total, per_layer = net.getPerfProfile()
    assert total > 0 and len(per_layer) == len(net.getLayerNames())


def test_dynamic_batch_builds_per_shape() -> None:
    model = _conv_model(batch="N")
    net = _webnn(model)
    for batch in (1, 3, 1):
        x = RNG.standard_normal((batch, 3, 8, 8)).astype(np.float32)
        net.setInput(x)
        np.testing.assert_allclose(net.forward(), _reference(model, x), rtol=1e-5, atol=1e-5)


def test_reference_backend_option_agrees() -> None:
    model = _conv_model()
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    net = _webnn(model, backend="reference")
    net.setInput(x)
    np.testing.assert_allclose(net.forward(), _reference(model, x), rtol=1e-5, atol=1e-5)


def _image_consumer(net: cv2.dnn.Net) -> cv2.dnn.Model:
    consumer = cv2.dnn.Model(net)
    consumer.setInputParams(scale=1 / 255, size=(8, 8))
    return consumer


def test_cv_net_works_with_cpp_consumers() -> None:
    model = _conv_model()
    image = RNG.integers(0, 255, (8, 8, 3), dtype=np.uint8)
    net = _webnn(model)
    with pytest.raises(Exception, match="(?i)net"):
        cv2.dnn.Model(net)  # the wrapper is not a C++ Net: OpenCV says so
    out = _image_consumer(net.cv_net).predict(image)
    expected = _reference(model, cv2.dnn.blobFromImage(image, 1 / 255, (8, 8)))
    np.testing.assert_allclose(out[0], expected, rtol=1e-5, atol=1e-5)


def test_repr_and_attribute_errors() -> None:
    net = _webnn(_conv_model())
    assert "WEBNN" in repr(net)
    with pytest.raises(AttributeError):
        net.no_such_method  # noqa: B018


# -- bad input -----------------------------------------------------------------------------------
def test_unknown_option_raises() -> None:
    with pytest.raises(TypeError, match="unknown option.*colour"):
        webnn_cv.readNetFromONNX(_conv_model().SerializeToString(), colour="red")


def test_bad_option_value_raises() -> None:
    with pytest.raises(ValueError, match="invalid options"):
        webnn_cv.readNetFromONNX(_conv_model().SerializeToString(), precision="int3")


def test_non_cpu_target_is_refused_with_webnn() -> None:
    net = _webnn(_conv_model())
    with pytest.raises(webnn_cv.WebNNBackendError, match="DNN_TARGET_CPU only"):
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_OPENCL)


def test_non_onnx_formats_are_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="ONNX models only"):
        webnn_cv.readNet(str(tmp_path / "model.caffemodel"), str(tmp_path / "deploy.prototxt"))


@pytest.mark.parametrize("data", [b"", b"not a model at all", b"\x08\x07\x12\x05trunc"])
def test_malformed_models_raise(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a readable ONNX model"):
        webnn_cv.readNetFromONNX(data)


def test_truncated_model_raises() -> None:
    data = _conv_model().SerializeToString()
    with pytest.raises(ValueError, match="not a readable ONNX model"):
        webnn_cv.readNetFromONNX(data[: len(data) // 2])


def test_missing_file_raises(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        webnn_cv.readNet(str(tmp_path / "absent.onnx"))


def _unknown_op_model(op_type: str) -> onnx.ModelProto:
    nodes = [helper.make_node("Relu", ["x"], ["r"]),
             helper.make_node(op_type, ["r"], ["u"], domain="com.example"),
             helper.make_node("Sigmoid", ["u"], ["y"])]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                   helper.make_opsetid("com.example", 1)])


def test_model_neither_opencv_nor_webnn_can_import_raises() -> None:
    """Neither runs the node: a clear error naming it, from either backend (OpenCV
    imports a model only when asked to run it, so readNet itself does not fail)."""
    net = webnn_cv.readNetFromONNX(_unknown_op_model("Mystery").SerializeToString())
    with pytest.raises(webnn_cv.WebNNBackendError, match="OpenCV cannot import.*Mystery"):
        net.setPreferableBackend(WEBNN)
    with pytest.raises(webnn_cv.WebNNBackendError, match="OpenCV cannot import"):
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)


def test_model_only_webnn_can_run() -> None:
    # Trilu: OpenCV 4.14's importer has no layer for it; WebNN has triangular
    nodes = [helper.make_node("Relu", ["x"], ["r"]),
             helper.make_node("Trilu", ["r"], ["t"], upper=1),
             helper.make_node("Sigmoid", ["t"], ["y"])]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    try:
        _plain(model)
    except cv2.error:
        pass
    else:
        pytest.skip("this OpenCV imports Trilu; nothing to show")
    net = webnn_cv.readNetFromONNX(model.SerializeToString())
    with pytest.raises(webnn_cv.WebNNBackendError, match="only cv2.dnn.DNN_BACKEND_WEBNN"):
        net.forward()
    net.setPreferableBackend(WEBNN)
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    net.setInput(x)
    expected = 1 / (1 + np.exp(-np.triu(np.maximum(x, 0))))
    np.testing.assert_allclose(net.forward(), expected, rtol=1e-6, atol=1e-6)


def test_error_inside_a_layer_raises_and_the_net_recovers(monkeypatch, caplog) -> None:
    model = _conv_model()
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    net = _webnn(model)
    partition = net._state.partitions[1]

    def broken(arrays):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(partition, "run", broken)
    net.setInput(x)
    with caplog.at_level(logging.ERROR, logger="webnn"), \
            pytest.raises(webnn_cv.LayerError, match="injected failure"):
        net.forward()
    assert "injected failure" in caplog.text
    monkeypatch.undo()
    net.setInput(x)
    np.testing.assert_allclose(net.forward(), _reference(model, x), rtol=1e-5, atol=1e-5)


def test_error_through_cpp_consumer_gives_nan_not_numbers(monkeypatch) -> None:
    net = _webnn(_conv_model())
    monkeypatch.setattr(net._state.partitions[0], "run",
                        lambda arrays: (_ for _ in ()).throw(ValueError("boom")))
    out = _image_consumer(net.cv_net).predict(np.ones((8, 8, 3), np.uint8))
    assert np.isnan(out[0]).all()


def test_other_input_sizes_are_built_per_shape() -> None:
    model = _conv_model()
    net = _webnn(model)
    for size in (9, 8, 16):
        x = RNG.standard_normal((1, 3, size, size)).astype(np.float32)
        net.setInput(x)
        np.testing.assert_allclose(net.forward(), _reference(model, x), rtol=1e-5, atol=1e-5)


def test_incompatible_input_shape_is_a_clear_error() -> None:
    net = _webnn(_conv_model())
    net.setInput(np.ones((1, 4, 8, 8), np.float32))  # 4 channels for a 3-channel conv
    if V5:
        # OpenCV 5.1's own conv runs it (plain OpenCV 5.1 does too): the net built for
        # these sizes leaves the conv to OpenCV and the report says why
        net.forward()
        reasons = {n.name: n.reason for n in net.partition_report().fallback}
        assert "conv2d" in reasons["conv1"]
        return
    with pytest.raises(webnn_cv.LayerError, match="conv2d"):
        net.forward()


def test_foreign_import_of_rewritten_model_is_refused() -> None:
    net = _webnn(_conv_model())
    rewritten = net.rewritten_model()
    for node in rewritten.graph.node:
        if node.op_type == "WebNNPartition":
            node.attribute[0].s = b"no-such-partition"
    # OpenCV 4 turns the layer's LookupError into its error; 5.1's binding a SystemError
    with pytest.raises(cv2.error if not V5 else (cv2.error, SystemError),
                       match="custom layer|exception set"):
        _plain(rewritten)


def test_registry_releases_partitions_with_the_net() -> None:
    import gc

    net = _webnn(_conv_model())
    keys = [p.key for p in net._state.partitions]
    del net
    gc.collect()
    assert not any(k in _layer._REGISTRY for k in keys)


def test_layer_call_leak_is_measured_small() -> None:
    """OpenCV's Python-layer bridge leaks about 64 bytes per call (OpenCV's, not ours);
    a run in a fresh process keeps growth per forward well under a kilobyte."""
    script = textwrap.dedent("""
        import gc, numpy as np, onnx, cv2, sys
        sys.path.insert(0, %r)
        from tests.providers.opencv.test_api import _conv_model, _webnn
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4096
        net = _webnn(_conv_model())
        x = np.ones((1, 3, 8, 8), np.float32)
        for _ in range(500):
            net.setInput(x); net.forward()
        gc.collect(); before = rss()
        n = 5000
        for _ in range(n):
            net.setInput(x); net.forward()
        gc.collect()
        print((rss() - before) / n / len(net._state.partitions))
    """) % str(__import__("pathlib").Path(__file__).resolve().parents[3])
    try:
        with open("/proc/self/statm"):
            pass
    except OSError:
        pytest.skip("no /proc/self/statm on this system to read the resident size")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    per_layer_call = float(result.stdout.strip().splitlines()[-1])
    assert per_layer_call < 1024, f"{per_layer_call:.0f} bytes per layer call"


def test_bad_engine_is_a_clear_error() -> None:
    data = _conv_model().SerializeToString()
    with pytest.raises(ValueError, match="no importer engine 99"):
        webnn_cv.readNetFromONNX(data, engine=99)
    with pytest.raises(TypeError, match="ENGINE_"):
        webnn_cv.readNetFromONNX(data, engine="ort")


@pytest.mark.skipif(not V5, reason="OpenCV 5's importer engines")
@pytest.mark.parametrize("engine", ["ENGINE_AUTO", "ENGINE_OPENCV", "ENGINE_ORT"])
def test_each_engine_runs_the_whole_model_path(engine: str, tmp_path) -> None:  # noqa: ANN001
    """Each engine OpenCV 5 offers (the pip wheel's ENGINE_ORT falls back to
    ENGINE_OPENCV, as plain OpenCV does) on a model WebNN takes whole."""
    model = _conv_model(refused_middle=False)
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    net = webnn_cv.readNet(str(path), engine=getattr(cv2.dnn, engine))
    net.setPreferableBackend(WEBNN)
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    net.setInput(x)
    np.testing.assert_allclose(net.forward(), _reference(model, x), rtol=1e-5, atol=1e-5)
    assert net._state.last_direct



def test_negative_initializer_dims_refused_as_opencv_does(tmp_path) -> None:  # noqa: ANN001
    """An initializer with dims [-3, 4] (numpy would read -3 as -1): plain OpenCV and ONNX
    Runtime refuse the model, and so does readNet, naming the tensor (issue 15)."""
    w = numpy_helper.from_array(np.full((3, 4), 0.5, np.float32), "w")
    del w.dims[:]
    w.dims.extend([-3, 4])
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])], [w])
    data = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]
                             ).SerializeToString()
    with pytest.raises(cv2.error):
        cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))
    path = tmp_path / "negative.onnx"
    path.write_bytes(data)
    for read in (lambda: webnn_cv.readNet(str(path)), lambda: webnn_cv.readNetFromONNX(data)):
        with pytest.raises(ValueError, match=r"not a readable ONNX model: initializer 'w' has "
                                             r"negative dims \[-3, 4\]"):
            read()
