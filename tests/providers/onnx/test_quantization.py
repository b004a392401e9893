"""ONNX quantization ops through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper
from webnn_providers.onnx import check_node, from_onnx_model, run_graph

from tests.helpers import context
from tests.providers.onnx.helpers import (
    assert_translation_matches,
    check,
    make_model,
    refused,
    run_ort,
)

rng = np.random.default_rng(0)




def x_f32(*shape: int, spread: float = 4.0) -> np.ndarray:
    x = rng.uniform(-spread, spread, shape).astype(np.float32)
    x.flat[:4] = [0.5, 1.5, -2.5, 1000.0][:x.size]  # ties to even and saturation
    return x


# -- QuantizeLinear --------------------------------------------------------------------------
@pytest.mark.parametrize("zp", [np.uint8(128), np.int8(-3), None])
@pytest.mark.parametrize("scale_shape", [(), (1,)])
def test_quantize_per_tensor(zp, scale_shape):
    x = x_f32(2, 3, 4)
    inits = {"s": np.full(scale_shape, 0.05, np.float32)}
    inputs = ["x", "s"]
    if zp is not None:
        inits["z"] = np.full(scale_shape, zp, zp.dtype)
        inputs.append("z")
    check([helper.make_node("QuantizeLinear", inputs, ["y"])], {"x": x}, ["y"], inits)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_quantize_per_axis(axis):
    x = x_f32(2, 3, 4)
    size = x.shape[axis]
    check([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], axis=axis)], {"x": x},
          ["y"], {"s": rng.uniform(0.01, 0.1, size).astype(np.float32),
                  "z": rng.integers(-20, 20, size).astype(np.int8)})


def test_quantize_dynamic_scale_and_opset10():
    x = x_f32(3, 5)
    s = np.array(0.03, np.float32)
    check([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])], {"x": x, "s": s},
          ["y"], {"z": np.array(10, np.uint8)})
    check([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])], {"x": x}, ["y"],
          {"s": s, "z": np.array(10, np.uint8)}, opset=10)


def test_quantize_output_dtype_int8():
    x = x_f32(2, 4)
    check([helper.make_node("QuantizeLinear", ["x", "s"], ["y"],
                            output_dtype=TensorProto.INT8)], {"x": x}, ["y"],
          {"s": np.array(0.02, np.float32)})


@pytest.mark.parametrize("axis,block", [(1, 2), (0, 3), (-1, 4)])
def test_quantize_dequantize_blocked(axis, block):
    x = x_f32(6, 8)
    pshape = list(x.shape)
    pshape[axis] = x.shape[axis] // block
    inits = {"s": rng.uniform(0.01, 0.1, pshape).astype(np.float32),
             "z": rng.integers(0, 255, pshape).astype(np.uint8)}
    check([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=axis,
                            block_size=block),
           helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=axis,
                            block_size=block)], {"x": x}, ["q", "y"], inits)


def test_quantize_partial_block_refused():
    x = x_f32(2, 5)
    v = refused([helper.make_node("QuantizeLinear", ["x", "s"], ["y"], axis=1,
                                  block_size=2)], {"x": x}, ["y"],
                {"s": np.full((2, 3), 0.1, np.float32)})
    assert "block_size" in v.reason


def test_quantize_float16():
    x = x_f32(4, 4).astype(np.float16)
    check([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])], {"x": x}, ["y"],
          {"s": np.array(0.125, np.float16), "z": np.array(3, np.int8)})


def test_quantize_int16_refused():
    x = x_f32(4)
    v = refused([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])], {"x": x}, ["y"],
                {"s": np.array(0.1, np.float32), "z": np.array(0, np.int16)})
    assert v.kind == "dtype"


# -- DequantizeLinear ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_dequantize_per_tensor(dtype):
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max, (3, 4), endpoint=True).astype(dtype)
    check([helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"])], {"x": x}, ["y"],
          {"s": np.array(0.037, np.float32), "z": np.array(7, dtype)}, rtol=0, atol=0)


def test_dequantize_per_axis_no_zero_point_and_int32():
    x = rng.integers(-128, 128, (2, 3, 4)).astype(np.int8)
    check([helper.make_node("DequantizeLinear", ["x", "s"], ["y"], axis=-2)], {"x": x}, ["y"],
          {"s": rng.uniform(0.01, 0.1, 3).astype(np.float32)}, rtol=0, atol=0)
    x32 = rng.integers(-100000, 100000, (5,)).astype(np.int32)
    check([helper.make_node("DequantizeLinear", ["x", "s"], ["y"])], {"x": x32}, ["y"],
          {"s": np.array(0.001, np.float32)}, rtol=0, atol=0)


def test_dequantize_quantize_chain_opset13():
    # the typical QDQ pattern around a float op
    x = rng.integers(0, 256, (2, 6)).astype(np.uint8)
    check([helper.make_node("DequantizeLinear", ["x", "s", "z"], ["f"]),
           helper.make_node("Relu", ["f"], ["r"]),
           helper.make_node("QuantizeLinear", ["r", "s", "z"], ["y"])], {"x": x}, ["y"],
          {"s": np.array(0.1, np.float32), "z": np.array(128, np.uint8)}, opset=13)


def test_dequantize_bad_axis_shape_refused():
    x = rng.integers(0, 256, (2, 6)).astype(np.uint8)
    model = make_model([helper.make_node("DequantizeLinear", ["x", "s"], ["y"], axis=0)],
                       {"x": x}, ["y"], {"s": np.full(6, 0.1, np.float32)})
    verdict = check_node(context("openvino"), from_onnx_model(model, infer_shapes=False), 0)
    assert not verdict.supported and "per-axis" in verdict.reason


# -- DynamicQuantizeLinear -------------------------------------------------------------------
def check_dynamic(nodes, x, outputs):
    """Exact on the reference backend. OpenVINO's CPU float division is not correctly
    rounded (1 ULP off for most inputs, within WebNN's div tolerance), so there the scale
    may be 1 ULP off and a value on a rounding boundary may land one step away."""
    model = make_model(nodes, {"x": x}, outputs)
    assert_translation_matches(model, {"x": x}, rtol=0, atol=0, backends=("reference",))
    graph = from_onnx_model(model)
    assert all(check_node(context("openvino"), graph, i).supported
               for i in range(len(graph.nodes)))
    expected = run_ort(model, {"x": x})
    got = run_graph(context("openvino"), graph, {"x": x})
    for name, want in expected.items():
        assert got[name].dtype == want.dtype and got[name].shape == want.shape
        if want.dtype == np.uint8:
            diff = np.abs(got[name].astype(np.int32) - want.astype(np.int32))
            assert diff.max(initial=0) <= 1 and np.mean(diff) < 0.05, name
        else:
            np.testing.assert_allclose(got[name], want, rtol=2.5e-7, atol=0, err_msg=name)


@pytest.mark.parametrize("low,high", [(-3.0, 5.0), (0.5, 4.0), (-6.0, -1.0)])
def test_dynamic_quantize(low, high):
    x = rng.uniform(low, high, (3, 7)).astype(np.float32)
    check_dynamic([helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])], x,
                  ["y", "s", "z"])


def test_dynamic_quantize_all_zero():
    # ONNX Runtime takes scale 1 for an all-zero input rather than dividing by 0
    x = np.zeros((2, 3), np.float32)
    check([helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])], {"x": x},
          ["y", "s", "z"], rtol=0, atol=0)


def test_dynamic_quantize_chain():
    x = rng.standard_normal((4, 5)).astype(np.float32)
    check_dynamic([helper.make_node("DynamicQuantizeLinear", ["x"], ["q", "s", "z"]),
                   helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"])], x, ["q", "y"])


# -- QLinear* --------------------------------------------------------------------------------
def test_qlinear_matmul_refused():
    a = rng.integers(0, 256, (2, 3)).astype(np.uint8)
    inits = {"as": np.array(0.1, np.float32), "az": np.array(1, np.uint8),
             "b": rng.integers(0, 256, (3, 2)).astype(np.uint8),
             "bs": np.array(0.2, np.float32), "bz": np.array(2, np.uint8),
             "ys": np.array(0.3, np.float32), "yz": np.array(3, np.uint8)}
    v = refused([helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys",
                                                    "yz"], ["y"])], {"a": a}, ["y"], inits)
    assert "integer" in v.reason
