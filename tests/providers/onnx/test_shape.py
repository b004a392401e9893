"""ONNX shape and data-movement ops through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper

from tests.providers.onnx.helpers import (
    check,
    make_model,
    node_verdict,
    refused,
)

rng = np.random.default_rng(0)
I64 = np.int64


def x_f32(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)




# -- Reshape / Flatten / Squeeze / Unsqueeze ---------------------------------------------
@pytest.mark.parametrize("target", [[0, -1], [-1, 4], [2, 3, 2, 2], [24], [0, 0, 4]])
def test_reshape(target):
    x = x_f32(2, 3, 4)
    check([helper.make_node("Reshape", ["x", "s"], ["y"])], {"x": x}, ["y"],
          {"s": np.array(target, I64)})


def test_reshape_int64_data_and_chain():
    x = rng.integers(-5, 5, (2, 6)).astype(I64)
    check([helper.make_node("Reshape", ["x", "s"], ["t"]),
           helper.make_node("Transpose", ["t"], ["y"], perm=[1, 0, 2])], {"x": x}, ["y"],
          {"s": np.array([3, 2, 2], I64)})


def test_reshape_opset1_attribute():
    x = x_f32(2, 6)
    check([helper.make_node("Reshape", ["x"], ["y"], shape=[3, 4])], {"x": x}, ["y"], opset=1)


def test_reshape_refusals():
    x = x_f32(2, 3)
    v = refused([helper.make_node("Reshape", ["x", "s"], ["y"])], {"x": x}, ["y"],
                {"s": np.array([6, -1, -1], I64)})
    assert "-1" in v.reason
    # a computed shape is a dynamic shape
    s = np.array([3, 2], I64)
    v = refused([helper.make_node("Reshape", ["x", "s"], ["y"])], {"x": x, "s": s}, ["y"])
    assert v.kind == "dynamic shape"


def test_reshape_allowzero_refused():
    x = x_f32(2, 3)
    v = refused([helper.make_node("Reshape", ["x", "s"], ["y"], allowzero=1)], {"x": x},
                ["y"], {"s": np.array([0, 6], I64)})
    assert v.kind == "shape" and "allowzero" in v.reason


def test_reshape_allowzero_without_zero():
    x = x_f32(2, 3)
    check([helper.make_node("Reshape", ["x", "s"], ["y"], allowzero=1)], {"x": x}, ["y"],
          {"s": np.array([3, -1], I64)})


@pytest.mark.parametrize("axis", [0, 1, 2, 3, -1, -3])
def test_flatten(axis):
    x = x_f32(2, 3, 4)
    check([helper.make_node("Flatten", ["x"], ["y"], axis=axis)], {"x": x}, ["y"])


def test_flatten_float16():
    x = x_f32(2, 3, 4).astype(np.float16)
    check([helper.make_node("Flatten", ["x"], ["y"])], {"x": x}, ["y"])


@pytest.mark.parametrize("axes", [None, [1], [-1, 1]])
def test_squeeze(axes):
    x = x_f32(2, 1, 3, 1)
    inits = {} if axes is None else {"a": np.array(axes, I64)}
    inputs = ["x"] if axes is None else ["x", "a"]
    check([helper.make_node("Squeeze", inputs, ["y"])], {"x": x}, ["y"], inits)


def test_squeeze_unsqueeze_opset11_attributes():
    x = x_f32(2, 1, 3)
    check([helper.make_node("Squeeze", ["x"], ["t"], axes=[-2]),
           helper.make_node("Unsqueeze", ["t"], ["y"], axes=[0, -1])], {"x": x}, ["y"],
          opset=11)


def test_squeeze_non_one_refused():
    x = x_f32(2, 3)
    v = refused([helper.make_node("Squeeze", ["x", "a"], ["y"])], {"x": x}, ["y"],
                {"a": np.array([0], I64)})
    assert v.kind == "shape"


@pytest.mark.parametrize("axes", [[0], [-1], [0, 3], [1, -1]])
def test_unsqueeze(axes):
    x = rng.integers(0, 9, (2, 3)).astype(np.int32)
    check([helper.make_node("Unsqueeze", ["x", "a"], ["y"])], {"x": x}, ["y"],
          {"a": np.array(axes, I64)})


def test_unsqueeze_dynamic_axes_refused():
    x = x_f32(2, 3)
    a = np.array([0], I64)
    v = refused([helper.make_node("Unsqueeze", ["x", "a"], ["y"])], {"x": x, "a": a}, ["y"])
    assert v.kind == "dynamic shape"


# -- Transpose / Concat / Split --------------------------------------------------------------
@pytest.mark.parametrize("perm", [None, [0, 2, 1], [2, 0, 1]])
def test_transpose(perm):
    x = x_f32(2, 3, 4)
    attrs = {} if perm is None else {"perm": perm}
    check([helper.make_node("Transpose", ["x"], ["y"], **attrs)], {"x": x}, ["y"])


def test_transpose_bad_perm_refused():
    x = x_f32(2, 3)
    model = make_model([helper.make_node("Transpose", ["x"], ["y"], perm=[0, 0])], {"x": x},
                       ["y"])
    model.graph.output[0].CopyFrom(helper.make_tensor_value_info("y", TensorProto.FLOAT, None))
    from webnn_providers.onnx import check_node, from_onnx_model

    from tests.helpers import context
    verdict = check_node(context("reference"), from_onnx_model(model, infer_shapes=False), 0)
    assert not verdict.supported and verdict.kind == "webnn"


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat(axis):
    a, b = x_f32(2, 3), x_f32(2, 3)
    c = x_f32(2, 3)
    check([helper.make_node("Concat", ["a", "b", "c"], ["y"], axis=axis)],
          {"a": a, "b": b}, ["y"], {"c": c})


def test_concat_int64_and_opset1_default_axis():
    a, b = rng.integers(0, 5, (2, 2)).astype(I64), rng.integers(0, 5, (2, 3)).astype(I64)
    check([helper.make_node("Concat", ["a", "b"], ["y"], axis=1)], {"a": a, "b": b}, ["y"])
    # ORT has no Concat-1 kernel: only check that its default axis 1 is taken
    f = a.astype(np.float32)
    model = make_model([helper.make_node("Concat", ["a", "b"], ["y"])],
                       {"a": f, "b": b.astype(np.float32)}, ["y"], opset=1)
    assert node_verdict(model).supported


@pytest.mark.parametrize("split", [[2, 4], [1, 2, 3]])
def test_split_sizes_input(split):
    x = x_f32(3, 6)
    outs = [f"y{i}" for i in range(len(split))]
    check([helper.make_node("Split", ["x", "s"], outs, axis=-1)], {"x": x}, outs,
          {"s": np.array(split, I64)})


def test_split_equal_and_attribute_opset11():
    x = x_f32(6, 2)
    check([helper.make_node("Split", ["x"], ["a", "b", "c"])], {"x": x}, ["a", "b", "c"],
          opset=11)
    check([helper.make_node("Split", ["x"], ["a", "b"], split=[5, 1])], {"x": x}, ["a", "b"],
          opset=11)


def test_split_num_outputs_uneven():
    x = x_f32(2, 7)
    check([helper.make_node("Split", ["x"], ["a", "b", "c"], axis=1, num_outputs=3)],
          {"x": x}, ["a", "b", "c"])


def test_split_uneven_before_18_refused():
    x = x_f32(7)
    v = refused([helper.make_node("Split", ["x"], ["a", "b"])], {"x": x}, ["a", "b"],
                opset=13)
    assert v.kind == "shape"


def test_split_zero_size_refused():
    x = x_f32(4)
    v = refused([helper.make_node("Split", ["x", "s"], ["a", "b"])], {"x": x}, ["a", "b"],
                {"s": np.array([0, 4], I64)})
    assert "empty" in v.reason


# -- Slice -----------------------------------------------------------------------------------
SLICES = [
    ([1], [3], [1], None),
    ([0, 1], [2, 100], [0, 2], None),
    ([-3], [-1], [-1], None),
    ([-100], [100], [0], [2]),
    ([4], [-100], [1], [-1]),  # reversed whole axis (clamped)
    ([-1, 3], [0, 0], [0, 2], [-2, -2]),
    ([2], [np.iinfo(I64).max], [2], [3]),
    ([3], [np.iinfo(I64).min], [-1], [-2]),
]


@pytest.mark.parametrize("starts,ends,axes,steps", SLICES)
def test_slice(starts, ends, axes, steps):
    x = x_f32(3, 5, 6)
    inits = {"s": np.array(starts, I64), "e": np.array(ends, I64), "a": np.array(axes, I64)}
    inputs = ["x", "s", "e", "a"]
    if steps is not None:
        inits["t"] = np.array(steps, I64)
        inputs.append("t")
    check([helper.make_node("Slice", inputs, ["y"])], {"x": x}, ["y"], inits)


def test_slice_int32_indices_no_axes():
    x = rng.integers(-9, 9, (4, 5)).astype(I64)
    check([helper.make_node("Slice", ["x", "s", "e"], ["y"])], {"x": x}, ["y"],
          {"s": np.array([1, -2], np.int32), "e": np.array([3, 5], np.int32)})


def test_slice_opset1_attributes():
    x = x_f32(4, 5)
    check([helper.make_node("Slice", ["x"], ["y"], starts=[1, -3], ends=[100, -1],
                            axes=[0, 1])], {"x": x}, ["y"], opset=1)


def test_slice_empty_and_zero_step_refused():
    x = x_f32(4)
    v = refused([helper.make_node("Slice", ["x", "s", "e"], ["y"])], {"x": x}, ["y"],
                {"s": np.array([3], I64), "e": np.array([1], I64)})
    assert v.kind == "shape" and "empty" in v.reason
    v = refused([helper.make_node("Slice", ["x", "s", "e", "a", "t"], ["y"])], {"x": x},
                ["y"], {"s": np.array([0], I64), "e": np.array([4], I64),
                        "a": np.array([0], I64), "t": np.array([0], I64)})
    assert "steps" in v.reason


# -- Pad -------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect"])
def test_pad_modes(mode):
    x = x_f32(1, 2, 4, 5)
    check([helper.make_node("Pad", ["x", "p", "v"], ["y"], mode=mode)], {"x": x}, ["y"],
          {"p": np.array([0, 0, 1, 2, 0, 1, 3, 0], I64), "v": np.array(1.5, np.float32)})


def test_pad_axes_input_opset18():
    x = x_f32(2, 3, 4)
    check([helper.make_node("Pad", ["x", "p", "", "a"], ["y"])], {"x": x}, ["y"],
          {"p": np.array([1, 2, 0, 3], I64), "a": np.array([-1, 0], I64)})


def test_pad_negative_crops():
    x = x_f32(3, 6)
    check([helper.make_node("Pad", ["x", "p"], ["y"])], {"x": x}, ["y"],
          {"p": np.array([-1, 2, 1, -3], I64)})


def test_pad_int32_value_and_opset2_attrs():
    x = rng.integers(-9, 9, (2, 3)).astype(np.int32)
    check([helper.make_node("Pad", ["x", "p", "v"], ["y"])], {"x": x}, ["y"],
          {"p": np.array([1, 1, 0, 2], I64), "v": np.array(7, np.int32)})
    f = x_f32(2, 3)
    check([helper.make_node("Pad", ["x"], ["y"], pads=[0, 1, 1, 0], value=-2.0,
                            mode="constant")], {"x": f}, ["y"], opset=2)


def test_pad_refusals():
    x = x_f32(3, 4)
    v = refused([helper.make_node("Pad", ["x", "p"], ["y"], mode="wrap")], {"x": x}, ["y"],
                {"p": np.array([1, 1, 1, 1], I64)})
    assert "wrap" in v.reason
    v = refused([helper.make_node("Pad", ["x", "p"], ["y"], mode="edge")], {"x": x}, ["y"],
                {"p": np.array([-1, 0, 0, 0], I64)})
    assert "negative" in v.reason
    v = refused([helper.make_node("Pad", ["x", "p"], ["y"], mode="reflect")], {"x": x}, ["y"],
                {"p": np.array([3, 0, 0, 0], I64)})
    assert v.kind == "webnn"


# -- Expand / Tile ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [[2, 3, 4], [3, 1], [1, 1, 1], [4]])
def test_expand_bidirectional(shape):
    x = x_f32(3, 1)
    check([helper.make_node("Expand", ["x", "s"], ["y"])], {"x": x}, ["y"],
          {"s": np.array(shape, I64)})


def test_expand_incompatible_refused():
    x = x_f32(3, 2)
    v = refused([helper.make_node("Expand", ["x", "s"], ["y"])], {"x": x}, ["y"],
                {"s": np.array([4], I64)})
    assert v.kind == "shape"


def test_tile():
    x = rng.integers(0, 9, (2, 3)).astype(I64)
    check([helper.make_node("Tile", ["x", "r"], ["y"])], {"x": x}, ["y"],
          {"r": np.array([2, 3], I64)})


def test_tile_zero_refused():
    x = x_f32(2, 3)
    v = refused([helper.make_node("Tile", ["x", "r"], ["y"])], {"x": x}, ["y"],
                {"r": np.array([0, 1], I64)})
    assert v.kind == "shape"


# -- Shape / Size / Constant / ConstantOfShape / Range ---------------------------------------
@pytest.mark.parametrize("start,end", [(None, None), (1, None), (-2, None), (0, -1), (-100, 2)])
def test_shape(start, end):
    x = x_f32(2, 3, 4)
    attrs = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    # x also feeds Identity: a WebNN graph drops inputs it does not read
    check([helper.make_node("Shape", ["x"], ["y"], **attrs),
           helper.make_node("Identity", ["x"], ["z"])], {"x": x}, ["y", "z"])


def test_shape_size_chain():
    x = x_f32(2, 3, 4)
    check([helper.make_node("Shape", ["x"], ["s"]),
           helper.make_node("Size", ["x"], ["n"]),
           helper.make_node("Flatten", ["x"], ["y"])], {"x": x}, ["s", "n", "y"])


def test_size():
    x = rng.integers(0, 2, (3, 5)).astype(bool)
    check([helper.make_node("Size", ["x"], ["y"]), helper.make_node("Not", ["x"], ["z"])],
          {"x": x}, ["y", "z"])


@pytest.mark.parametrize("attr,value", [
    ("value", helper.make_tensor("v", TensorProto.FLOAT, [2, 2], [1, 2, 3, 4])),
    ("value", helper.make_tensor("v", TensorProto.INT64, [3], [1, -2, 3])),
    ("value", helper.make_tensor("v", TensorProto.BOOL, [2], [True, False])),
    ("value_float", 2.5), ("value_floats", [1.0, 2.0]), ("value_int", 7),
    ("value_ints", [4, 5, 6]),
])
def test_constant(attr, value):
    x = np.ones((1,), np.float32)
    check([helper.make_node("Constant", [], ["c"], **{attr: value}),
           helper.make_node("Identity", ["x"], ["y"])], {"x": x}, ["c", "y"])


def test_constant_string_refused():
    x = np.ones((1,), np.float32)
    v = refused([helper.make_node("Constant", [], ["c"], value_string="hi"),
                 helper.make_node("Identity", ["x"], ["y"])], {"x": x}, ["c", "y"])
    assert "value" in v.reason


def test_constant_of_shape():
    x = x_f32(2, 3)
    check([helper.make_node("ConstantOfShape", ["s"], ["c"]),
           helper.make_node("Add", ["x", "c"], ["y"])], {"x": x}, ["y"],
          {"s": np.array([2, 3], I64)})
    check([helper.make_node("ConstantOfShape", ["s"], ["y"],
                            value=helper.make_tensor("v", TensorProto.INT64, [1], [5]))],
          {"x": x}, ["y"], {"s": np.array([4, 1], I64)})


def test_constant_of_shape_dynamic_refused():
    s = np.array([2, 3], I64)
    v = refused([helper.make_node("ConstantOfShape", ["s"], ["y"])], {"s": s}, ["y"])
    assert v.kind == "dynamic shape"


@pytest.mark.parametrize("start,limit,delta,dtype", [
    (0, 5, 1, I64), (10, 1, -3, np.int32), (0.5, 2.0, 0.1, np.float32), (1, 2, 5, I64)])
def test_range(start, limit, delta, dtype):
    x = np.ones((1,), np.float32)
    check([helper.make_node("Range", ["a", "b", "c"], ["r"]),
           helper.make_node("Identity", ["x"], ["y"])], {"x": x}, ["r", "y"],
          {"a": np.array(start, dtype), "b": np.array(limit, dtype),
           "c": np.array(delta, dtype)}, rtol=0, atol=0)


def test_range_empty_refused():
    x = np.ones((1,), np.float32)
    v = refused([helper.make_node("Range", ["a", "b", "c"], ["r"]),
                 helper.make_node("Identity", ["x"], ["y"])], {"x": x}, ["r", "y"],
                {"a": np.array(5, I64), "b": np.array(1, I64), "c": np.array(1, I64)})
    assert v.kind == "shape"


# -- Trilu -----------------------------------------------------------------------------------
@pytest.mark.parametrize("upper", [0, 1])
@pytest.mark.parametrize("k", [None, 0, 2, -1, -5])
def test_trilu(upper, k):
    x = x_f32(2, 4, 5)
    inputs, inits = ["x"], {}
    if k is not None:
        inputs, inits = ["x", "k"], {"k": np.array(k, I64)}
    check([helper.make_node("Trilu", inputs, ["y"], upper=upper)], {"x": x}, ["y"], inits)


def test_trilu_int64_and_dynamic_k_refused():
    x = rng.integers(-9, 9, (3, 3)).astype(I64)
    check([helper.make_node("Trilu", ["x"], ["y"], upper=0)], {"x": x}, ["y"])
    k = np.array(1, I64)
    v = refused([helper.make_node("Trilu", ["x", "k"], ["y"])], {"x": x, "k": k}, ["y"])
    assert v.kind == "dynamic shape"
