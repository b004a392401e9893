"""The ONNX model reader (``from_onnx_model``) on invalid dimensions (issue 15): an
initializer with negative dims or data that does not match them is refused naming the
tensor (ONNX Runtime and OpenCV refuse such a model too); a negative dimension in a declared
shape is read as unknown, as those hosts and the ORT EP's reader read it."""

from __future__ import annotations

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from webnn_providers.onnx import from_onnx_model
from webnn_providers.onnx.model import InvalidModelError, check_model_dims


def _add_model(init: onnx.TensorProto, shape: list[int] | None = None) -> onnx.ModelProto:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape or [3, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])
    graph = helper.make_graph([helper.make_node("Add", ["x", init.name], ["y"])], "g", [x], [y],
                              [init])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _with_dims(name: str, array: np.ndarray, dims: list[int]) -> onnx.TensorProto:
    init = numpy_helper.from_array(array, name)
    del init.dims[:]
    init.dims.extend(dims)
    return init


def _hosts_refuse(model: onnx.ModelProto) -> None:
    data = model.SerializeToString()
    with pytest.raises(Exception):  # noqa: B017, PT011 - ORT's Fail, whatever its module
        ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    with pytest.raises(cv2.error):
        cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))


@pytest.mark.parametrize("dims", [[-3, 4], [3, -4], [-1, -12]])
def test_negative_initializer_dims_are_refused(dims: list[int]) -> None:
    model = _add_model(_with_dims("w", np.full((3, 4), 0.5, np.float32), dims))
    _hosts_refuse(model)
    for infer_shapes in (True, False):
        with pytest.raises(InvalidModelError, match=r"initializer 'w' has negative dims "
                                                    rf"\[{dims[0]}, {dims[1]}\]"):
            from_onnx_model(model, infer_shapes=infer_shapes)
    with pytest.raises(ValueError, match="initializer 'w'"):  # a ValueError
        check_model_dims(model)


def test_initializer_data_that_does_not_match_its_dims_is_refused() -> None:
    model = _add_model(_with_dims("w", np.full((3, 4), 0.5, np.float32), [5, 4]))
    _hosts_refuse(model)
    with pytest.raises(InvalidModelError, match=r"initializer 'w' \(dims \[5, 4\]\) cannot be "
                                                "read"):
        from_onnx_model(model, infer_shapes=False)


def test_constant_node_with_negative_dims_is_refused() -> None:
    value = _with_dims("", np.ones((3, 4), np.float32), [-3, 4])
    nodes = [helper.make_node("Constant", [], ["c"], value=value),
             helper.make_node("Add", ["x", "c"], ["y"])]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(InvalidModelError, match="tensor attribute 'value' has negative dims"):
        from_onnx_model(model, infer_shapes=False)


def test_valid_initializers_read_as_before() -> None:
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    graph = from_onnx_model(_add_model(numpy_helper.from_array(w, "w")))
    np.testing.assert_array_equal(graph.values["w"].constant, w)
    scalar = from_onnx_model(_add_model(numpy_helper.from_array(np.float32(2), "w")))
    assert scalar.values["w"].constant.shape == ()
    check_model_dims(_add_model(numpy_helper.from_array(w, "w")))


def test_negative_declared_dimension_reads_as_unknown() -> None:
    """ORT and OpenCV run such a model (the ONNX checker refuses it): no refusal here, and
    no negative size reaches a translator."""
    model = _add_model(numpy_helper.from_array(np.ones((3, 4), np.float32), "w"), [-3, 4])
    data = model.SerializeToString()
    ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))
    check_model_dims(model)
    graph = from_onnx_model(model, infer_shapes=False)
    assert graph.values["x"].shape == (None, 4)
    assert graph.values["x"].static_shape is None


def test_to_onnx_model_round_trip_at_the_lowest_ir_version():
    """A GraphInfo written back as a model (what the ORT EP runs on ORT's CPU kernels for
    calls with empty inputs) computes what the original computes, imports each domain at its
    nodes' schema version and declares the lowest IR version those opsets need (an older
    host must load it)."""
    from webnn_providers.onnx import to_onnx_model

    c = numpy_helper.from_array(np.array([1.0, -2.0, 3.0], np.float32), "c")
    nodes = [helper.make_node("Add", ["x", "c"], ["a"]),
             helper.make_node("CastLike", ["a", "x"], ["b"], saturate=1),
             helper.make_node("Relu", ["b"], ["y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, ["N", 3])], [helper.make_tensor_value_info(
        "y", TensorProto.FLOAT, ["N", 3])], [c])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 25)])
    rebuilt = to_onnx_model(from_onnx_model(model))
    onnx.checker.check_model(rebuilt)
    imports = list(rebuilt.opset_import)
    assert [(o.domain, o.version) for o in imports] == [("", 25)]  # CastLike-25's version
    assert rebuilt.ir_version == helper.find_min_ir_version_for(imports, ignore_unknown=True)
    x = np.array([[0.5, 1.0, -7.0], [2.0, 3.0, 4.0]], np.float32)
    run = ort.InferenceSession(rebuilt.SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(run.run(None, {"x": x})[0], np.maximum(x + [1, -2, 3], 0))


def test_shape_inference_skips_the_weights_and_infers_the_same_shapes():
    """from_onnx_model infers shapes on the model's skeleton (big initializers declared as
    inputs, no data): the same shapes as inference on the whole model, shape-like
    constants (a Reshape target) still read."""
    from webnn_providers.onnx.model import SKELETON_MAX_ELEMENTS, shape_skeleton

    w = np.random.default_rng(0).standard_normal((64, 32, 3, 3)).astype(np.float32)
    assert w.size > SKELETON_MAX_ELEMENTS
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
         helper.make_node("Reshape", ["c", "shape"], ["r"]),
         helper.make_node("Relu", ["r"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 32, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(w, "w"),
         numpy_helper.from_array(np.array([1, 64, 36], np.int64), "shape")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    skeleton = shape_skeleton(model)
    assert [i.name for i in skeleton.graph.initializer] == ["shape"]
    assert "w" in [i.name for i in skeleton.graph.input]
    full = onnx.shape_inference.infer_shapes(model)
    expected = {vi.name: vi.type for vi in [*full.graph.value_info, *full.graph.output]}
    info = from_onnx_model(model)
    assert info.values["c"].shape == (1, 64, 6, 6) and info.values["y"].shape == (1, 64, 36)
    for name in ("c", "r", "y"):
        dims = tuple(d.dim_value for d in expected[name].tensor_type.shape.dim)
        assert info.values[name].shape == dims
    assert info.inputs == ["x"] and info.values["w"].constant is not None
    np.testing.assert_array_equal(info.values["w"].constant, w)
