"""ONNX normalization ops through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from webnn_providers.onnx import build_graph, from_onnx_model, run_graph

from tests.helpers import context
from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)
TOL = {"rtol": 1e-4, "atol": 1e-5}  # mean/variance accumulations


def _x(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _bn_model(x, opset=21, outputs=("y",), **attrs):
    c = x.shape[1]
    inits = {"s": _x(c), "b": _x(c), "m": _x(c), "v": rng.uniform(0.5, 2, c).astype(x.dtype)}
    inits = {k: v.astype(x.dtype) for k, v in inits.items()}
    node = helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], list(outputs),
                            **attrs)
    return make_model([node], {"x": x}, [o for o in outputs if o], inits, opset=opset)


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (2, 3), (2, 3, 7), (1, 2, 3, 2, 2)])
@pytest.mark.parametrize("opset", [7, 9, 15, 21])
def test_batch_normalization(shape, opset):
    x = _x(*shape)
    assert_translation_matches(_bn_model(x, opset=opset, epsilon=1e-3), {"x": x}, **TOL)


def test_batch_normalization_float16():
    x = _x(1, 3, 4, 4, dtype=np.float16)
    assert_translation_matches(_bn_model(x), {"x": x}, rtol=1e-2, atol=1e-2)


def test_batch_normalization_training_is_refused():
    x = _x(2, 3, 4)
    verdict = node_verdict(_bn_model(x, training_mode=1))
    assert not verdict.supported and "training_mode" in verdict.reason
    verdict = node_verdict(_bn_model(x, opset=7, spatial=0))
    assert not verdict.supported and "spatial" in verdict.reason


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (2, 3, 6), (1, 2, 3, 2, 2)])
def test_instance_normalization(shape):
    x = _x(*shape)
    c = shape[1]
    node = helper.make_node("InstanceNormalization", ["x", "s", "b"], ["y"], epsilon=1e-4)
    model = make_model([node], {"x": x}, ["y"], {"s": _x(c), "b": _x(c)})
    assert_translation_matches(model, {"x": x}, **TOL)


def _ln_model(x, scale_shape, bias_shape=None, opset=21, outputs=("y",), **attrs):
    inits = {"s": _x(*scale_shape)}
    inputs = ["x", "s"]
    if bias_shape is not None:
        inits["b"] = _x(*bias_shape)
        inputs.append("b")
    node = helper.make_node("LayerNormalization", inputs, list(outputs), **attrs)
    return make_model([node], {"x": x}, [o for o in outputs if o], inits, opset=opset)


@pytest.mark.parametrize("axis,scale_shape,bias_shape", [
    (-1, (5,), (5,)),
    (-1, (5,), None),
    (1, (3, 4, 5), (3, 4, 5)),
    (-2, (4, 5), (1, 5)),        # broadcast bias
    (2, (1, 5), (4, 1)),         # broadcast scale and bias
    (0, (2, 3, 4, 5), None),
])
def test_layer_normalization(axis, scale_shape, bias_shape):
    x = _x(2, 3, 4, 5)
    model = _ln_model(x, scale_shape, bias_shape, axis=axis, epsilon=1e-3)
    assert_translation_matches(model, {"x": x}, **TOL)


def test_layer_normalization_float16_and_chain():
    x = _x(2, 8, dtype=np.float16)
    s = _x(8, dtype=np.float16)
    nodes = [helper.make_node("LayerNormalization", ["x", "s"], ["n"]),
             helper.make_node("Mul", ["n", "n"], ["y"])]
    model = make_model(nodes, {"x": x}, ["y"], {"s": s})
    assert_translation_matches(model, {"x": x}, rtol=2e-2, atol=2e-2)


def test_layer_normalization_refusals():
    x = _x(2, 4)
    verdict = node_verdict(_ln_model(x, (4,), outputs=("y", "mean")))
    assert not verdict.supported and "Mean/InvStdDev" in verdict.reason
    verdict = node_verdict(_ln_model(x, (4,), stash_type=10))
    assert not verdict.supported and "stash_type" in verdict.reason


@pytest.mark.parametrize("shape,groups", [((2, 6, 4, 3), 3), ((2, 4, 5), 2), ((1, 6, 2, 2, 2), 6),
                                          ((2, 4, 3, 3), 1)])
@pytest.mark.parametrize("opset", [18, 21])
def test_group_normalization(shape, groups, opset):
    x = _x(*shape)
    n = groups if opset < 21 else shape[1]   # opset 18: per group; 21: per channel
    node = helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=groups,
                            epsilon=1e-3)
    model = make_model([node], {"x": x}, ["y"], {"s": _x(n), "b": _x(n)}, opset=opset)
    assert_translation_matches(model, {"x": x}, **TOL)


def test_group_normalization_bad_groups_is_refused():
    x = _x(1, 6, 2, 2)
    node = helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=4)
    model = make_model([node], {"x": x}, ["y"], {"s": _x(6), "b": _x(6)})
    verdict = node_verdict(model)
    assert not verdict.supported and "4 groups" in verdict.reason


def _matches(model, inputs, want, **tol):
    for backend in ("reference", "openvino"):
        got = run_graph(context(backend), from_onnx_model(model), inputs)
        np.testing.assert_allclose(next(iter(got.values())), want, **tol)


@pytest.mark.parametrize("size", [1, 3, 5])
def test_lrn(size):
    x = _x(2, 6, 3, 4)
    node = helper.make_node("LRN", ["x"], ["y"], size=size, alpha=0.3, beta=0.6, bias=1.5)
    assert_translation_matches(make_model([node], {"x": x}, ["y"]), {"x": x}, **TOL)


@pytest.mark.parametrize("size", [2, 4, 8])
@pytest.mark.parametrize("shape", [(2, 6, 3, 4), (1, 5, 7)])
def test_lrn_even_size_and_3d(size, shape):
    """ORT's CPU LRN takes odd sizes and 4-D inputs only (and the ONNX reference
    evaluator loops over the wrong axis); the ONNX spec text has neither limit: an even
    window has one more channel after c than before. Compared with that text."""
    x = _x(*shape)
    node = helper.make_node("LRN", ["x"], ["y"], size=size, alpha=0.3, beta=0.6, bias=1.5)
    channels = shape[1]
    square_sum = np.zeros_like(x, dtype=np.float64)
    for c in range(channels):
        lo, hi = max(0, c - (size - 1) // 2), min(channels - 1, c + -(-(size - 1) // 2))
        square_sum[:, c] = (x[:, lo:hi + 1].astype(np.float64) ** 2).sum(axis=1)
    want = x / (1.5 + 0.3 / size * square_sum) ** 0.6
    _matches(make_model([node], {"x": x}, ["y"]), {"x": x}, want, **TOL)


@pytest.mark.parametrize("bias", [1.0, 1.5])
def test_lrn_runs_as_one_openvino_lrn_when_exact(bias):
    """The OpenVINO backend turns the decomposition back into OpenVINO's LRN (one kernel,
    as OpenVINO's own ONNX reader has) for GoogLeNet-like parameters; a fractional bias,
    which OpenVINO's CPU LRN truncates, keeps the decomposition. Both match ORT's CPU EP."""
    x = _x(1, 16, 7, 7) * 4
    node = helper.make_node("LRN", ["x"], ["y"], size=5, alpha=1e-2, beta=0.75, bias=bias)
    model = make_model([node], {"x": x}, ["y"])
    assert_translation_matches(model, {"x": x}, **TOL)
    ctx = context("openvino")
    info = from_onnx_model(model)
    graph = build_graph(ctx, info, list(range(len(info.nodes)))).graph
    from webnn_core.backends.openvino import OpenVINOBackend

    layers = [op.get_rt_info()["layerType"].value for op in
              OpenVINOBackend.compiled_model(graph).get_runtime_model().get_ordered_ops()]
    assert (layers.count("Lrn") == 1) == (bias == 1.0), layers


def test_lrn_defaults_old_opset():
    x = _x(1, 4, 3, 3)
    node = helper.make_node("LRN", ["x"], ["y"], size=3)
    assert_translation_matches(make_model([node], {"x": x}, ["y"], opset=7), {"x": x}, **TOL)


@pytest.mark.parametrize("axes", [None, [0, 2, 3], [1], [-1, -2], [0, 1, 2, 3]])
def test_mean_variance_normalization(axes):
    x = _x(2, 3, 4, 5)
    attrs = {} if axes is None else {"axes": axes}
    node = helper.make_node("MeanVarianceNormalization", ["x"], ["y"], **attrs)
    assert_translation_matches(make_model([node], {"x": x}, ["y"]), {"x": x}, **TOL)


def test_mean_variance_normalization_opset9():
    x = _x(2, 3, 4, 5)
    node = helper.make_node("MeanVarianceNormalization", ["x"], ["y"])
    assert_translation_matches(make_model([node], {"x": x}, ["y"], opset=9), {"x": x}, **TOL)
