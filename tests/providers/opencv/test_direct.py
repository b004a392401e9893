"""The direct path (providers/opencv/_direct.py): a model WebNN takes whole runs without
OpenCV's forward pass, with OpenCV's setInput/forward semantics; anything it cannot answer
goes through OpenCV's net (issue 5)."""

from __future__ import annotations

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from webnn_providers import opencv as webnn_cv

WEBNN = cv2.dnn.DNN_BACKEND_WEBNN
#: OpenCV 5's setInput takes no scalefactor or mean (it asserts scalefactor == 1)
V5 = webnn_cv.OPENCV_MAJOR >= 5
SCALED = pytest.mark.skipif(V5, reason="OpenCV 5's setInput takes no scalefactor or mean")
#: a setInput scale both majors take
HALF = () if V5 else (0.5,)
#: the name forward takes for the conv's output (OpenCV 4: its layer, 5: its tensor)
CONV = "c" if V5 else "onnx_node!conv"
RNG = np.random.default_rng(11)
TOL = {"rtol": 1e-5, "atol": 1e-5}


def _model(batch: int | str = 1, refused: bool = False) -> onnx.ModelProto:
    """x [batch,3,8,8] -> Conv -> Relu -> y4 (4-D); -> Reshape [batch,8,64] -> y3 (3-D);
    -> ReduceMean over H, W -> Flatten -> y2 (2-D). ``refused`` puts a float64 round trip
    (OpenCV's) before y2, so that WebNN does not take the whole model."""
    w = numpy_helper.from_array(RNG.standard_normal((8, 3, 3, 3)).astype(np.float32), "w")
    shape = numpy_helper.from_array(np.array([0, 8, 64], np.int64), "shape")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1],
                              kernel_shape=[3, 3], name="conv"),
             helper.make_node("Relu", ["c"], ["y4"], name="relu"),
             helper.make_node("Reshape", ["y4", "shape"], ["y3"], name="reshape"),
             helper.make_node("ReduceMean", ["y4"], ["m"], axes=[2, 3], name="mean")]
    src = "m"
    if refused:
        nodes += [helper.make_node("Cast", ["m"], ["m64"], to=TensorProto.DOUBLE, name="to64"),
                  helper.make_node("Cast", ["m64"], ["m32"], to=TensorProto.FLOAT, name="to32")]
        src = "m32"
    nodes.append(helper.make_node("Flatten", [src], ["y2"], name="flatten"))
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3, 8, 8])],
        [helper.make_tensor_value_info("y4", TensorProto.FLOAT, [batch, 8, 8, 8]),
         helper.make_tensor_value_info("y3", TensorProto.FLOAT, [batch, 8, 64]),
         helper.make_tensor_value_info("y2", TensorProto.FLOAT, [batch, 8])], [w, shape])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _webnn(model: onnx.ModelProto, direct: bool = True) -> webnn_cv.WebNNNet:
    net = webnn_cv.readNetFromONNX(model.SerializeToString())
    net.setPreferableBackend(WEBNN)
    if not direct:
        net._webnn_state().direct = None  # the same net through OpenCV's forward
    return net


def _plain(model: onnx.ModelProto) -> cv2.dnn.Net:
    net = cv2.dnn.readNetFromONNX(np.frombuffer(model.SerializeToString(), np.uint8))
    net.enableWinograd(False)  # its 3x3 Winograd convs are off by ~4e-5 relative
    return net


def _x(batch: int = 1) -> np.ndarray:
    return (RNG.random((batch, 3, 8, 8)) * 255).astype(np.float32)


def _state(net: webnn_cv.WebNNNet):  # noqa: ANN202 - private state, for white-box checks
    return net._webnn_state()


def test_whole_model_takes_the_direct_path() -> None:
    """One partition with every node: forward never enters OpenCV's forward pass."""
    model = _model()
    net = _webnn(model)
    assert _state(net).direct is not None
    x = _x()
    net.setInput(x)
    out = net.forward()
    assert _state(net).last_direct
    plain = _plain(model)
    plain.setInput(x)
    np.testing.assert_allclose(out, plain.forward(), **TOL)


def test_partial_model_runs_through_opencv() -> None:
    """A node left to OpenCV: no direct path, the partitions run as OpenCV layers."""
    net = _webnn(_model(refused=True))
    assert _state(net).direct is None
    net.setInput(_x())
    net.forward()
    assert not _state(net).last_direct


@pytest.mark.parametrize("args", [(), (1 / 255,), (0.5, (10.0, 20.0, 30.0)), (0.5, 7.0),
                                  (2.0, (5.0, 5.0, 5.0))],
                         ids=["plain", "scale", "scale_mean3", "scale_mean_scalar",
                              "scale_single_mean"])
@SCALED
def test_scale_and_mean_as_opencv(args: tuple) -> None:
    """setInput's scalefactor and mean as OpenCV's data layer applies them (per channel;
    a bare number is the first channel's mean only): direct path == OpenCV's forward on
    the same partitions == plain OpenCV, each on a fresh net (see the repeated-forward
    test for why)."""
    model, x = _model(), _x()
    results = []
    for direct in (True, False):
        net = _webnn(model, direct)
        net.setInput(x, "", *args)
        results.append(net.forward(["y4", "y3", "y2"]))
        assert _state(net).last_direct == direct
    plain = _plain(model)
    plain.setInput(x, "", *args)
    want = plain.forward(["y4", "y3", "y2"])
    for got_direct, got_bridge, expected in zip(*results, want, strict=True):
        assert got_direct.shape == got_bridge.shape == expected.shape
        np.testing.assert_allclose(got_direct, got_bridge, **TOL)
        np.testing.assert_allclose(got_direct, expected, rtol=1e-4, atol=1e-4)


@SCALED
def test_keyword_arguments_of_set_input() -> None:
    """setInput(blob, name=..., scalefactor=..., mean=...) as keywords."""
    model, x = _model(), _x()
    net = _webnn(model)
    net.setInput(x, name="x", scalefactor=0.25, mean=(1.0, 2.0, 3.0))
    got = net.forward("y2")
    assert _state(net).last_direct
    plain = _plain(model)
    plain.setInput(x, "x", 0.25, (1.0, 2.0, 3.0))
    np.testing.assert_allclose(got, plain.forward("y2"), rtol=1e-4, atol=1e-4)


def test_forward_forms_match_opencv() -> None:
    """forward() (the last layer's output), forward(name) and forward(names) return what
    OpenCV's forward returns: same types, shapes (2-, 3- and 4-D) and values."""
    model, x = _model(), _x()
    got, want = [], []
    for direct, sink in ((True, got), (False, want)):
        net = _webnn(model, direct)
        net.setInput(x)
        sink.append(net.forward())
        sink.append(net.forward("y3"))
        sink.append(net.forward(["y2", "y4"]))
        sink.append(net.forward(list(net.getUnconnectedOutLayersNames())))
    for g, w in zip(got, want, strict=True):
        assert type(g) is type(w)
        if isinstance(w, tuple):
            assert len(g) == len(w)
            for a, b in zip(g, w, strict=True):
                assert a.shape == b.shape and a.dtype == b.dtype
                np.testing.assert_allclose(a, b, **TOL)
        else:
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, **TOL)


def test_forward_into_output_blobs_goes_through_opencv() -> None:
    """forward(outputBlobs) (arrays, not names) is OpenCV's to answer."""
    net = _webnn(_model())
    net.setInput(_x())
    want = net.forward()
    out = net.forward([np.zeros(want.shape, np.float32)])
    assert not _state(net).last_direct
    np.testing.assert_allclose(np.asarray(out[0]).reshape(want.shape), want, **TOL)


def test_one_dimensional_output_as_opencv() -> None:
    """A 1-D graph output comes back shaped as plain OpenCV returns it."""
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["x"], ["y"], axes=[0, 2, 3], keepdims=0)], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    x = _x()
    net = _webnn(model)
    net.setInput(x)
    got = net.forward()
    assert _state(net).last_direct
    plain = _plain(model)
    plain.setInput(x)
    want = plain.forward()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, **TOL)


def test_results_are_new_arrays() -> None:
    """Like OpenCV's, each forward returns new arrays: the next one does not overwrite
    them."""
    net = _webnn(_model())
    net.setInput(_x())
    first = net.forward("y2")
    kept = first.copy()
    net.setInput(_x())
    second = net.forward("y2")
    np.testing.assert_array_equal(first, kept)
    assert not np.array_equal(first, second)


def test_input_is_snapshotted_at_set_input() -> None:
    """OpenCV copies the blob in setInput: changing the array afterwards changes nothing."""
    model, x = _model(), _x()
    net = _webnn(model)
    net.setInput(x, "", *HALF)
    expected = net.forward("y2").copy()
    x[...] = 0
    np.testing.assert_allclose(net.forward("y2"), expected, **TOL)


@SCALED
def test_repeated_forward_after_one_set_input_is_stable() -> None:
    """Two forwards after one scaled setInput give the same result on the direct path.
    (OpenCV 4's own nets do not: measured on 4.14, a second forward after
    setInput(blob, "", scalefactor) differs from the first, and a scale set after a forward
    with scale 1 is ignored; the direct path follows the documented formula.)"""
    net = _webnn(_model())
    net.setInput(_x(), "", 1 / 255, (0.1, 0.2, 0.3))
    first = net.forward("y2").copy()
    np.testing.assert_array_equal(net.forward("y2"), first)
    net.setInput(_x(), "", 1.0)
    net.setInput(_x(), "", 1 / 255)
    assert np.abs(net.forward("y2")).max() < np.abs(first).max() * 10


@pytest.mark.skipif(not V5, reason="OpenCV 5's setInput only")
@pytest.mark.parametrize("args", [(0.5,), (1.0, (1.0, 2.0, 3.0))], ids=["scale", "mean"])
def test_scale_refused_as_opencv5(args: tuple) -> None:
    """OpenCV 5's setInput refuses a scalefactor or mean: the direct path does too."""
    model, x = _model(), _x()
    with pytest.raises(cv2.error):
        plain = _plain(model)
        plain.setInput(x, "", *args)
        plain.forward()
    net = _webnn(model)
    with pytest.raises(cv2.error):
        net.setInput(x, "", *args)
        net.forward()


@pytest.mark.parametrize("blob", ["float64", "uint8"])
def test_other_element_types_go_through_opencv(blob: str) -> None:
    """A blob that is not float32: OpenCV's own setInput converts it (no direct path)."""
    model = _model()
    x = _x().astype(blob)
    net = _webnn(model)
    net.setInput(x)
    got = net.forward("y2")
    assert not _state(net).last_direct
    plain = _plain(model)
    plain.setInput(x)
    np.testing.assert_allclose(got, plain.forward("y2"), rtol=1e-4, atol=1e-4)


def test_direct_after_opencv_input_again() -> None:
    """A float64 input, then a float32 one: the direct path takes over again."""
    net = _webnn(_model())
    net.setInput(_x().astype(np.float64))
    net.forward()
    assert not _state(net).last_direct
    net.setInput(_x())
    net.forward()
    assert _state(net).last_direct


def test_unknown_input_name_is_opencv_error() -> None:
    net = _webnn(_model())
    with pytest.raises(cv2.error):
        net.setInput(_x(), "no_such_input")


def test_layer_inside_the_partition() -> None:
    """forward of a layer inside the partition: exposed by re-partitioning, still direct,
    value as plain OpenCV's."""
    model, x = _model(), _x()
    net = _webnn(model)
    net.setInput(x)
    got = net.forward(CONV)
    assert _state(net).last_direct
    if V5:  # OpenCV 5.1 cannot forward an inner tensor (an assertion): ONNX's evaluator
        from onnx.reference import ReferenceEvaluator

        (want,) = ReferenceEvaluator(model).run(["c"], {"x": x})
    else:
        plain = _plain(model)
        plain.setInput(x)
        want = plain.forward(CONV)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_cv_net_receives_inputs_set_on_the_direct_path() -> None:
    """The real cv2.dnn.Net (for C++ consumers) gets the inputs only the direct path saw."""
    model, x = _model(), _x()
    net = _webnn(model)
    net.setInput(x, "", *HALF)
    direct = net.forward("y2")
    through_opencv = net.cv_net.forward("y2")
    np.testing.assert_allclose(through_opencv, direct, **TOL)


def test_switching_backends_keeps_inputs() -> None:
    """Inputs set on the direct path are replayed on plain OpenCV and back."""
    model, x = _model(), _x()
    net = _webnn(model)
    net.setInput(x, "", *HALF)
    direct = net.forward("y2")
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    np.testing.assert_allclose(net.forward("y2"), direct, rtol=1e-4, atol=1e-4)
    net.setPreferableBackend(WEBNN)
    np.testing.assert_allclose(net.forward("y2"), direct, **TOL)
    assert _state(net).last_direct


def test_perf_profile_after_a_direct_forward() -> None:
    """getPerfProfile: total ticks and one entry per layer, the partition's time in it."""
    net = _webnn(_model())
    net.setInput(_x())
    net.forward()
    total, layers = net.getPerfProfile()
    assert isinstance(total, int) and total > 0
    assert len(layers) == len(net.getLayerNames())
    assert float(np.sum(layers)) == pytest.approx(total, rel=1e-6, abs=1)


def test_dynamic_batch_on_the_direct_path() -> None:
    """A symbolic batch: one compiled graph per batch size, each matching OpenCV."""
    model = _model(batch="N")
    net = _webnn(model)
    plain = _plain(model)
    for batch in (1, 3, 1):
        x = _x(batch)
        net.setInput(x)
        got = net.forward("y2")
        assert _state(net).last_direct
        plain.setInput(x)
        np.testing.assert_allclose(got, plain.forward("y2"), rtol=1e-4, atol=1e-4)


def test_error_inside_the_partition_raises_layer_error() -> None:
    """An error while computing raises LayerError naming the partition."""
    net = _webnn(_model())
    net.setInput(_x())
    net.forward()
    partition = _state(net).partitions[0]

    def fail(*_: object) -> None:
        raise RuntimeError("boom")

    partition._last.dispatch = fail
    with pytest.raises(webnn_cv.LayerError, match="boom"):
        net.forward()
