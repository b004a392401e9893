"""Normalization ops (batch_normalization, instance_normalization, layer_normalization):
hand-checked values, OpenVINO vs reference, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_backends_agree, context, run

D = webnn.MLOperandDescriptor
# WPT tolerances: batchNormalization 6 ULP, instanceNormalization 840 ULP (float32) and
# 8400 ULP (float16), layerNormalization ATOL 1/1024 (float32) and 1/512 (float16)
BATCH_ULP = 6
INSTANCE_ULP = {"float32": 840, "float16": 8400}
LAYER_ATOL = {"float32": 1 / 1024, "float16": 1 / 512}


def _inp(g: webnn.MLGraphBuilder, name: str, array: np.ndarray) -> webnn.MLOperand:
    return g.input(name, D(str(array.dtype), array.shape))


# -- hand-checked values -----------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_batch_normalization_by_hand(backend):
    # two samples, two channels (axis 1): channel 0 mean 2 var 4 scale 2 bias 1,
    # channel 1 mean 3 var 1 scale 1 bias 0, epsilon 0
    x = np.array([[1, 2], [3, 4]], np.float32)

    def build(g):
        c = g.constant
        return {"y": g.batch_normalization(
            _inp(g, "x", x), c(np.array([2, 3], np.float32)), c(np.array([4, 1], np.float32)),
            scale=c(np.array([2, 1], np.float32)), bias=c(np.array([1, 0], np.float32)),
            epsilon=0.0)}

    out = run(backend, build, {"x": x})["y"]
    # (1-2)/2*2+1 = 0, (2-3)/1 = -1, (3-2)/2*2+1 = 2, (4-3)/1 = 1
    np.testing.assert_array_equal(out, [[0, -1], [2, 1]])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_batch_normalization_last_axis_without_scale_bias(backend):
    x = np.array([[[1, 10], [5, 20]]], np.float32)  # [1, 2, 2], features on axis 2

    def build(g):
        c = g.constant
        return {"y": g.batch_normalization(_inp(g, "x", x), c(np.array([3, 15], np.float32)),
                                           c(np.array([4, 25], np.float32)), axis=2,
                                           epsilon=0.0)}

    out = run(backend, build, {"x": x})["y"]
    # (1-3)/2 = -1, (10-15)/5 = -1, (5-3)/2 = 1, (20-15)/5 = 1
    np.testing.assert_array_equal(out, [[[-1, -1], [1, 1]]])


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_instance_normalization_by_hand(backend, layout):
    # one channel of 2x2 values 1..4: mean 2.5, variance 1.25, so (x - 2.5) / sqrt(1.25)
    # = (x - 2.5) * 2 / sqrt(5); then scale 2 and bias 1
    x = np.array([1, 2, 3, 4], np.float32).reshape([1, 1, 2, 2] if layout == "nchw"
                                                    else [1, 2, 2, 1])

    def build(g):
        c = g.constant
        return {"y": g.instance_normalization(_inp(g, "x", x), scale=c(np.array([2], np.float32)),
                                              bias=c(np.array([1], np.float32)), epsilon=0.0,
                                              layout=layout)}

    out = run(backend, build, {"x": x})["y"]
    root5 = math.sqrt(5)
    expected = [1 - 6 / root5, 1 - 2 / root5, 1 + 2 / root5, 1 + 6 / root5]
    np.testing.assert_allclose(out.ravel(), expected, rtol=1e-6)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_layer_normalization_by_hand(backend):
    # rows [1, 3] (mean 2, variance 1) and [2, 2] (variance 0): default axes [1]
    x = np.array([[1, 3], [2, 2]], np.float32)

    def build(g):
        c = g.constant
        return {"y": g.layer_normalization(_inp(g, "x", x), scale=c(np.array([2, 3], np.float32)),
                                           bias=c(np.array([1, 1], np.float32)))}

    out = run(backend, build, {"x": x})["y"]
    inv = 1 / math.sqrt(1 + 1e-5)
    np.testing.assert_allclose(out, [[1 - 2 * inv, 1 + 3 * inv], [1, 1]], rtol=1e-6)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_layer_normalization_unsorted_axes_scale_order(backend):
    # axes [2, 1]: scale/bias dimension 0 runs along input axis 2 and dimension 1 along 1
    x = np.array([[[1, 2, 6], [3, 8, 4]]], np.float32)  # [1, 2, 3]: mean 4, variance 17/3
    scale = np.array([[1, 2], [3, 4], [5, 6]], np.float32)  # [3, 2]
    bias = np.array([[0, 10], [20, 30], [40, 50]], np.float32)

    def build(g):
        return {"y": g.layer_normalization(_inp(g, "x", x), scale=g.constant(scale),
                                           bias=g.constant(bias), axes=[2, 1], epsilon=0.0)}

    out = run(backend, build, {"x": x})["y"]
    std = math.sqrt(17 / 3)
    expected = np.empty((1, 2, 3))
    for i in range(2):
        for j in range(3):
            expected[0, i, j] = (x[0, i, j] - 4) / std * scale[j, i] + bias[j, i]
    np.testing.assert_allclose(out, expected, rtol=1e-6)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_layer_normalization_scalar_and_empty_axes(backend):
    # nothing reduced: the mean is the value itself, so the result is bias (or 0)
    x = np.array(-35.5, np.float32)
    out = run(backend, lambda g: {"y": g.layer_normalization(_inp(g, "x", x))}, {"x": x})["y"]
    assert out.shape == () and out == 0
    v = np.array([[1.5, -2.0]], np.float32)

    def build(g):
        return {"y": g.layer_normalization(_inp(g, "v", v), axes=[],
                                           bias=g.constant("float32", 0.25))}

    np.testing.assert_array_equal(run(backend, build, {"v": v})["y"], [[0.25, 0.25]])


# -- OpenVINO vs reference -------------------------------------------------------------
def _batch_norm_data(rng: np.random.Generator, shape: list[int], axis: int,
                     dtype: str) -> dict[str, np.ndarray]:
    """Well-conditioned data: every |x - mean| is 1 to 4 standard deviations and |bias|
    <= 0.1 while |scale| >= 0.5, so the result is never a near-cancellation of much larger
    terms. (OpenVINO, like any scale-shift implementation, computes x * a + b; where the
    result is near 0 relative to those terms no float32 implementation keeps 6 ULP.)"""
    size = shape[axis]
    bshape = [size if i == axis else 1 for i in range(len(shape))]
    mean = rng.uniform(-1, 1, size)
    var = rng.uniform(0.5, 2, size)
    offset = rng.uniform(1, 4, shape) * rng.choice([-1, 1], shape)
    x = mean.reshape(bshape) + offset * np.sqrt(var).reshape(bshape)
    return {"x": x.astype(dtype), "mean": mean.astype(dtype), "var": var.astype(dtype),
            "scale": rng.uniform(0.5, 2, size).astype(dtype),
            "bias": rng.uniform(-0.1, 0.1, size).astype(dtype)}


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("shape,axis", [([2, 3, 4, 5], 1), ([2, 3, 4, 5], 3), ([6, 4], 0),
                                        ([7], 0), ([2, 3, 4], 1), ([1, 2, 2, 3, 3], 2)])
@pytest.mark.parametrize("with_scale_bias", [True, False])
def test_batch_normalization_agrees(dtype, shape, axis, with_scale_bias):
    d = _batch_norm_data(np.random.default_rng(10), shape, axis, dtype)

    def build(g):
        extra = ({"scale": g.constant(d["scale"]), "bias": g.constant(d["bias"])}
                 if with_scale_bias else {})
        return {"y": g.batch_normalization(_inp(g, "x", d["x"]), g.constant(d["mean"]),
                                           g.constant(d["var"]), axis=axis, epsilon=1e-3,
                                           **extra)}

    assert_backends_agree(build, {"x": d["x"]}, ulp=BATCH_ULP)


def test_batch_normalization_operands_as_inputs():
    d = _batch_norm_data(np.random.default_rng(11), [2, 3, 5], 1, "float32")

    def build(g):
        return {"y": g.batch_normalization(
            _inp(g, "x", d["x"]), _inp(g, "mean", d["mean"]), _inp(g, "var", d["var"]),
            scale=_inp(g, "scale", d["scale"]), bias=_inp(g, "bias", d["bias"]))}

    assert_backends_agree(build, d, ulp=BATCH_ULP)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("with_scale_bias", [True, False])
def test_instance_normalization_agrees(dtype, layout, with_scale_bias):
    rng = np.random.default_rng(12)
    shape = [2, 3, 4, 5] if layout == "nchw" else [2, 4, 5, 3]
    x = rng.uniform(-3, 5, shape).astype(dtype)
    scale = rng.uniform(0.5, 2, 3).astype(dtype)
    bias = rng.uniform(-1, 1, 3).astype(dtype)

    def build(g):
        extra = ({"scale": g.constant(scale), "bias": g.constant(bias)} if with_scale_bias
                 else {})
        return {"y": g.instance_normalization(_inp(g, "x", x), layout=layout, epsilon=1e-4,
                                              **extra)}

    assert_backends_agree(build, {"x": x}, ulp=INSTANCE_ULP[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("shape,axes", [([2, 3, 4], None), ([2, 3, 4], [2]), ([2, 3, 4], [0, 2]),
                                        ([2, 3, 4], [2, 0]), ([3, 4, 2, 2], [1, 2, 3]),
                                        ([5], None), ([5], [0]), ([2, 3], []),
                                        ([2, 2, 2, 2, 3], [3, 1])])
@pytest.mark.parametrize("with_scale_bias", [True, False])
def test_layer_normalization_agrees(dtype, shape, axes, with_scale_bias):
    rng = np.random.default_rng(13)
    x = rng.uniform(-3, 5, shape).astype(dtype)
    used = list(range(1, len(shape))) if axes is None else axes
    param_shape = [shape[a] for a in used]
    scale = rng.uniform(0.5, 2, param_shape).astype(dtype)
    bias = rng.uniform(-1, 1, param_shape).astype(dtype)

    def build(g):
        extra = ({"scale": g.constant(scale), "bias": g.constant(bias)} if with_scale_bias
                 else {})
        if axes is not None:
            extra["axes"] = axes
        return {"y": g.layer_normalization(_inp(g, "x", x), **extra)}

    assert_backends_agree(build, {"x": x}, atol=LAYER_ATOL[dtype])


def test_float16_epsilon_is_cast_to_float16():
    # epsilon 1e-9 is 0 in float16: a constant row (variance 0) gives 0/0 = NaN on both
    x = np.array([[2, 2]], np.float16)
    out = assert_backends_agree(
        lambda g: {"y": g.layer_normalization(_inp(g, "x", x), epsilon=1e-9)}, {"x": x},
        atol=LAYER_ATOL["float16"])
    assert np.isnan(out["y"]).all()


# -- validation ------------------------------------------------------------------------
def _builder() -> webnn.MLGraphBuilder:
    return webnn.MLGraphBuilder(context("reference"))


def test_batch_normalization_validation():
    g = _builder()
    x = g.input("x", D("float32", [2, 3, 4]))
    m3 = g.input("m", D("float32", [3]))
    m4 = g.input("m4", D("float32", [4]))
    with pytest.raises(TypeError, match="batch_normalization: axis 3 must be less"):
        g.batch_normalization(x, m3, m3, axis=3)
    with pytest.raises(TypeError, match="batch_normalization: axis"):
        g.batch_normalization(x, m3, m3, axis=-1)
    with pytest.raises(TypeError, match=r"batch_normalization: mean shape \[4\] must be \[3\]"):
        g.batch_normalization(x, m4, m3)
    with pytest.raises(TypeError, match=r"batch_normalization: variance shape \[4\]"):
        g.batch_normalization(x, m3, m4)
    with pytest.raises(TypeError, match=r"batch_normalization: scale shape \[4\]"):
        g.batch_normalization(x, m3, m3, scale=m4)
    with pytest.raises(TypeError, match=r"batch_normalization: bias shape \[3\]"):
        g.batch_normalization(x, m4, m4, axis=2, bias=m3)
    with pytest.raises(TypeError, match="batch_normalization: mean data type float16"):
        g.batch_normalization(x, g.input("h", D("float16", [3])), m3)
    with pytest.raises(TypeError, match="batch_normalization: input data type int32"):
        g.batch_normalization(g.input("i", D("int32", [2, 3])), m3, m3)
    with pytest.raises(TypeError, match="batch_normalization: epsilon"):
        g.batch_normalization(x, m3, m3, epsilon=float("nan"))
    with pytest.raises(TypeError, match="batch_normalization: scale must be an MLOperand"):
        g.batch_normalization(x, m3, m3, scale=[1, 2, 3])


def test_instance_normalization_validation():
    g = _builder()
    x = g.input("x", D("float32", [1, 3, 4, 5]))
    with pytest.raises(TypeError, match="instance_normalization: input must be of rank 4"):
        g.instance_normalization(g.input("r3", D("float32", [3, 4, 5])))
    with pytest.raises(TypeError, match="instance_normalization: layout"):
        g.instance_normalization(x, layout="ncwh")
    with pytest.raises(TypeError, match=r"instance_normalization: scale shape \[3\] must be "
                                        r"\[5\]"):
        g.instance_normalization(x, scale=g.input("s", D("float32", [3])), layout="nhwc")
    with pytest.raises(TypeError, match="instance_normalization: bias data type float16"):
        g.instance_normalization(x, bias=g.input("b", D("float16", [3])))
    with pytest.raises(TypeError, match="instance_normalization: input data type uint8"):
        g.instance_normalization(g.input("u", D("uint8", [1, 3, 4, 5])))


def test_layer_normalization_validation():
    g = _builder()
    x = g.input("x", D("float32", [2, 3, 4]))
    with pytest.raises(TypeError, match="layer_normalization: axes .* duplicates"):
        g.layer_normalization(x, axes=[1, 1])
    with pytest.raises(TypeError, match="layer_normalization: axis 3 in axes"):
        g.layer_normalization(x, axes=[3])
    with pytest.raises(TypeError, match="layer_normalization: axes"):
        g.layer_normalization(x, axes=[-1])
    with pytest.raises(TypeError, match="layer_normalization: scale rank 1 must equal"):
        g.layer_normalization(x, scale=g.input("s", D("float32", [3])))
    with pytest.raises(TypeError, match=r"layer_normalization: bias shape \[3, 4\] must be "
                                        r"\[4, 3\]"):
        g.layer_normalization(x, axes=[2, 1], bias=g.input("b", D("float32", [3, 4])))
    with pytest.raises(TypeError, match="layer_normalization: input data type int32"):
        g.layer_normalization(g.input("i", D("int32", [2])))
