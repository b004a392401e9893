"""ONNX indexing ops through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

from tests.providers.onnx.helpers import (
    check,
    make_model,
    refused,
)

rng = np.random.default_rng(0)
I64 = np.int64


def x_f32(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)




# -- Gather --------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("itype", [I64, np.int32])
def test_gather_negative_indices_wrap(axis, itype):
    x = x_f32(3, 4, 5)
    size = x.shape[axis]
    idx = np.array([[0, -1], [size - 1, -size]], itype)
    check([helper.make_node("Gather", ["x", "i"], ["y"], axis=axis)], {"x": x, "i": idx},
          ["y"])


def test_gather_scalar_constant_index_int64_data():
    x = rng.integers(-(2**31), 2**31 - 1, (4, 3)).astype(I64)
    check([helper.make_node("Gather", ["x", "i"], ["y"], axis=1)], {"x": x}, ["y"],
          {"i": np.array(-2, I64)})


def test_gather_float16_chain():
    x = x_f32(5, 2).astype(np.float16)
    idx = np.array([4, -5, 2], I64)
    check([helper.make_node("Gather", ["x", "i"], ["t"]),
           helper.make_node("Transpose", ["t"], ["y"])], {"x": x, "i": idx}, ["y"])


def test_gather_opset1():
    x = x_f32(4, 3)
    check([helper.make_node("Gather", ["x", "i"], ["y"])], {"x": x, "i": np.array([3, 0], I64)},
          ["y"], opset=1)


def test_gather_float_indices_refused():
    x = x_f32(4)
    v = refused([helper.make_node("Gather", ["x", "i"], ["y"])], {"x": x}, ["y"],
                {"i": np.array([1], np.uint8)})
    assert v.kind == "webnn"


@pytest.mark.parametrize("index", [4, -5])
def test_gather_constant_index_out_of_range_refused(index):
    """ONNX calls an out-of-range index an error, WebNN would clamp it: a constant one
    leaves the node to the host (and keeps the constant folder from folding it)."""
    v = refused([helper.make_node("Gather", ["x", "i"], ["y"])], {"x": x_f32(4, 2)}, ["y"],
                {"i": np.array([0, index], I64)})
    assert v.kind == "shape" and "out of range" in v.reason


# -- GatherElements / GatherND ---------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, -1])
def test_gather_elements(axis):
    x = x_f32(3, 4)
    idx = rng.integers(-3, 3, (2, 4)) if axis == 0 else rng.integers(-4, 4, (3, 6))
    check([helper.make_node("GatherElements", ["x", "i"], ["y"], axis=axis)],
          {"x": x, "i": idx.astype(I64)}, ["y"])


@pytest.mark.parametrize("ishape", [(2, 1), (2, 2), (3, 2, 3)])
def test_gather_nd(ishape):
    x = x_f32(3, 4, 2)
    idx = rng.integers(-2, 2, ishape).astype(I64)
    check([helper.make_node("GatherND", ["x", "i"], ["y"])], {"x": x, "i": idx}, ["y"])


def test_gather_nd_batch_dims_refused():
    x = x_f32(2, 3)
    v = refused([helper.make_node("GatherND", ["x", "i"], ["y"], batch_dims=1)],
                {"x": x, "i": np.zeros((2, 1), I64)}, ["y"])
    assert "batch_dims" in v.reason


# -- ScatterElements / ScatterND -------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_scatter_elements(axis):
    x = x_f32(3, 4)
    # a permutation per row/column: no duplicate targets
    if axis == 0:
        idx = np.stack([rng.permutation(3)[:2] for _ in range(4)], axis=1) - 3
    else:
        idx = np.stack([rng.permutation(4)[:3] for _ in range(3)], axis=0) - 2
    idx = idx.astype(I64)
    upd = x_f32(*idx.shape)
    check([helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], axis=axis)],
          {"x": x, "i": idx, "u": upd}, ["y"])


def test_scatter_opset9_and_int32():
    x = rng.integers(0, 9, (4,)).astype(np.int32)
    check([helper.make_node("Scatter", ["x", "i", "u"], ["y"])],
          {"x": x, "i": np.array([3, 0], I64), "u": np.array([7, 8], np.int32)}, ["y"],
          opset=9)


def test_scatter_nd():
    x = x_f32(4, 3)
    idx = np.array([[1], [-1]], I64)
    upd = x_f32(2, 3)
    check([helper.make_node("ScatterND", ["x", "i", "u"], ["y"])],
          {"x": x, "i": idx, "u": upd}, ["y"])
    idx2 = np.array([[0, 2], [3, -3]], I64)
    check([helper.make_node("ScatterND", ["x", "i", "u"], ["y"])],
          {"x": x, "i": idx2, "u": x_f32(2)}, ["y"])


@pytest.mark.parametrize("op", ["ScatterElements", "ScatterND"])
def test_scatter_reduction_refused(op):
    x = x_f32(4)
    idx = np.array([[1]], I64) if op == "ScatterND" else np.array([1], I64)
    v = refused([helper.make_node(op, ["x", "i", "u"], ["y"], reduction="add")],
                {"x": x, "i": idx, "u": np.ones(1, np.float32)}, ["y"])
    assert "reduction" in v.reason


# -- ArgMax / ArgMin -------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["ArgMax", "ArgMin"])
@pytest.mark.parametrize("axis,keepdims", [(0, 1), (1, 0), (-1, 1), (-2, 0)])
@pytest.mark.parametrize("last", [0, 1])
def test_arg_min_max_ties(op, axis, keepdims, last):
    x = rng.integers(0, 3, (4, 5)).astype(np.float32)  # many ties
    check([helper.make_node(op, ["x"], ["y"], axis=axis, keepdims=keepdims,
                            select_last_index=last)], {"x": x}, ["y"])


def test_argmax_int32_rank1_and_opset11():
    x = rng.integers(-5, 5, (7,)).astype(np.int32)
    check([helper.make_node("ArgMax", ["x"], ["y"], keepdims=0)], {"x": x}, ["y"])
    check([helper.make_node("ArgMin", ["x"], ["y"], keepdims=0, select_last_index=1)],
          {"x": x}, ["y"])
    f = x_f32(3, 4)
    check([helper.make_node("ArgMax", ["x"], ["y"], axis=-1)], {"x": f}, ["y"], opset=11)


def test_argmax_axis_out_of_range_refused():
    x = x_f32(3)
    model = make_model([helper.make_node("ArgMax", ["x"], ["y"], axis=2)], {"x": x}, ["y"])
    # ONNX shape inference rejects the model; the translator must refuse on its own
    from webnn_providers.onnx import check_node, from_onnx_model

    from tests.helpers import context
    verdict = check_node(context("openvino"), from_onnx_model(model, infer_shapes=False), 0)
    assert not verdict.supported and "axis" in verdict.reason


# -- CumSum ----------------------------------------------------------------------------------
@pytest.mark.parametrize("exclusive", [0, 1])
@pytest.mark.parametrize("reverse", [0, 1])
@pytest.mark.parametrize("axis", [0, -1])
def test_cumsum(exclusive, reverse, axis):
    x = x_f32(3, 4)
    check([helper.make_node("CumSum", ["x", "a"], ["y"], exclusive=exclusive,
                            reverse=reverse)], {"x": x}, ["y"], {"a": np.array(axis, I64)})


def test_cumsum_int32_axis_int32():
    x = rng.integers(-9, 9, (2, 5)).astype(np.int32)
    check([helper.make_node("CumSum", ["x", "a"], ["y"])], {"x": x}, ["y"],
          {"a": np.array(1, np.int32)})


def test_cumsum_dynamic_axis_refused():
    x = x_f32(3)
    v = refused([helper.make_node("CumSum", ["x", "a"], ["y"])],
                {"x": x, "a": np.array(0, I64)}, ["y"])
    assert v.kind == "dynamic shape"


# -- TopK ------------------------------------------------------------------------------------
@pytest.mark.parametrize("largest", [0, 1])
@pytest.mark.parametrize("axis", [-1, 0])
def test_topk_k1(largest, axis):
    x = rng.integers(0, 3, (4, 5)).astype(np.float32)
    check([helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=axis, largest=largest)],
          {"x": x}, ["v", "i"], {"k": np.array([1], I64)})


def test_topk_opset1_attribute_chain():
    x = x_f32(3, 6)
    check([helper.make_node("TopK", ["x"], ["v", "i"], k=1),
           helper.make_node("Neg", ["v"], ["y"])], {"x": x}, ["y", "i"], opset=9)


def test_topk_k2_refused():
    x = x_f32(3, 6)
    v = refused([helper.make_node("TopK", ["x", "k"], ["v", "i"])], {"x": x}, ["v", "i"],
                {"k": np.array([2], I64)})
    assert "k=2" in v.reason


# -- OneHot ----------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("itype", [I64, np.int32])
def test_one_hot(axis, itype):
    idx = np.array([[0, 3, -1], [-4, 5, -6]], itype)  # 5 and -6 are out of range
    values = np.array([-1.5, 2.0], np.float32)
    check([helper.make_node("OneHot", ["i", "d", "v"], ["y"], axis=axis)],
          {"i": idx, "v": values}, ["y"], {"d": np.array(4, itype)})  # ORT's kernels


def test_one_hot_int64_values_constant_1d_depth():
    idx = np.array([2, 0], I64)
    check([helper.make_node("OneHot", ["i", "d", "v"], ["y"])], {"i": idx}, ["y"],
          {"d": np.array([3], I64), "v": np.array([0, 9], I64)})


def test_one_hot_float_indices_refused():
    idx = np.array([1.0], np.float32)
    v = refused([helper.make_node("OneHot", ["i", "d", "v"], ["y"])], {"i": idx}, ["y"],
                {"d": np.array(3, I64), "v": np.array([0, 1], np.float32)})
    assert v.kind == "dtype"


def test_int64_index_chain_beyond_int32_range():
    # int64 data beyond the int32 range: OpenVINO falls back to the reference, still exact
    x = np.array([[2**40, -(2**35), 7], [1, 2, -3]], I64)
    idx = np.array([1, -2], I64)
    check([helper.make_node("Gather", ["x", "i"], ["g"], axis=1),
           helper.make_node("Unsqueeze", ["g", "a"], ["u"]),
           helper.make_node("Concat", ["u", "c"], ["y"], axis=0)], {"x": x, "i": idx}, ["y"],
          {"a": np.array([0], I64), "c": np.full((1, 2, 2), 2**33, I64)})
