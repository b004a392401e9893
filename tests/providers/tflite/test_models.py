"""webnn_providers.testing.tflite_models: the generated MobileNetV2 / tiny CNN models load and
run in the TFLite interpreter (no delegate), compute what an independent numpy forward pass
computes, keep their activations in a sane range, and their int8 versions are quantized the
way TFLite's full-integer post-training quantization does it.

The int8 checks are layered, because a deep network with *random* weights is chaotic: a
perturbation of one quantization step in an early layer grows layer after layer (measured on
MobileNetV2 224 with seed 0: the int8 error of the layer outputs, relative to their spread,
grows from 0.01 after the stem to ~0.5 at the logits), so unlike a trained MobileNetV2 (about
1% top-1 lost to int8) its end-to-end top-1 agreement says little about the quantization:

- per layer, each int8 operator's output equals the float operator applied to its dequantized
  int8 inputs (with the model's own dequantized int8 weights and int32 biases), requantized
  with the output's scale and zero point, within one quantization step (TFLite's fixed-point
  requantization rounds once; the float softmax vs the int8 kernel's exp table: two steps):
  this checks every scale, zero point, per-channel axis and bias scale;
- end to end, the dequantized int8 logits of MobileNetV2 still correlate with the float
  logits (measured 0.8-0.9; asserted > 0.6, far from the ~0 of unrelated logits), and on
  the shallow tiny CNN the int8 top-1 agrees with the float top-1 (measured 14 of 16 images;
  asserted >= 12).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from webnn_providers.testing import tflite_models as tm
from webnn_providers.testing.tflite_writer import interpreter_module, run

from tests.providers.tflite.helpers import not_on_tflite_runtime

#: a smaller MobileNetV2 for the slower checks: same topology (all 17 blocks), fewer channels
SMALL = {"input_size": 96, "width": 0.35}


def _probabilities_ok(p: np.ndarray, classes: int, tolerance: float = 1e-3) -> None:
    assert p.shape == (1, classes) and p.dtype == np.float32
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    assert abs(float(p.sum()) - 1.0) < tolerance


def _preserving(data: bytes):
    module = interpreter_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        it = module.Interpreter(
            model_content=data, experimental_preserve_all_tensors=True,
            experimental_op_resolver_type=module.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    return it


# -- float ---------------------------------------------------------------------------------------


def test_mobilenet_v2_topology() -> None:
    net = tm._mobilenet_v2(224, 1.0, 0)
    kinds = [layer.kind for layer in net.layers]
    assert kinds.count("conv") == 1 + 16 + 17 + 1  # stem, 16 expansions, 17 projections, head
    assert kinds.count("dwconv") == 17
    assert kinds.count("add") == 10  # stride 1, same channels
    assert kinds[-3:] == ["mean", "fc", "softmax"]
    assert 3.4e6 < net.parameters < 3.6e6  # MobileNetV2 1.0: 3.5M parameters
    assert net.shape_of("Conv_1") == (1, 7, 7, 1280)
    strides = [layer.stride for layer in net.layers if layer.kind == "dwconv"]
    assert strides.count(2) == 4 and net.layers[0].stride == 2
    assert all(layer.activation == "RELU6" for layer in net.layers
               if layer.kind in ("conv", "dwconv") and not layer.name.endswith("project"))


@pytest.mark.parametrize("builtin_only", [True, False], ids=["builtin", "xnnpack"])
def test_mobilenet_v2_runs_and_matches_numpy(builtin_only: bool) -> None:
    data = tm.mobilenet_v2()
    assert data == tm.mobilenet_v2()  # seeded: the same bytes every time
    net = tm._mobilenet_v2(224, 1.0, 0)
    image = tm.sample_images(1, (1, 224, 224, 3), seed=3)[0]
    (p,) = run(data, [image], builtin_only=builtin_only)
    _probabilities_ok(p, 1000)
    want = tm.forward(net, image)["Identity"]
    np.testing.assert_allclose(p, want, rtol=1e-3, atol=1e-5)
    assert p.max() < 0.999  # calibrated logits: not one-hot


def test_activations_stay_in_a_sane_range() -> None:
    net = tm._mobilenet_v2(224, 1.0, 0)
    values = tm.forward(net, np.concatenate(tm.sample_images(2, net.input_shape, seed=4)))
    for layer in net.layers:
        y = values[layer.output]
        assert np.all(np.isfinite(y)) and np.abs(y).max() < 30, layer.name
        if layer.activation == "RELU6":
            # RELU6 outputs: mostly inside (0, 6), neither dead nor saturated
            assert np.mean(y >= 6.0) < 0.02, layer.name
            assert np.mean(y > 0.0) > 0.3, layer.name
    logits = values["predictions"]
    assert 2.0 < logits.std() < 8.0


def test_different_images_give_different_classes() -> None:
    net = tm._mobilenet_v2(224, 1.0, 0)
    p = tm.forward(net, np.concatenate(tm.sample_images(8, net.input_shape, seed=5)))
    assert len(set(p["Identity"].argmax(axis=1).tolist())) >= 5


def test_other_sizes_and_seeds() -> None:
    data = tm.mobilenet_v2(**SMALL)
    (p,) = run(data, tm.sample_images(1, (1, 96, 96, 3)))
    _probabilities_ok(p, 1000)
    assert tm.mobilenet_v2(**SMALL, seed=1) != data
    (t,) = run(tm.tiny_cnn(), tm.sample_images(1, (1, 16, 16, 3)))
    _probabilities_ok(t, 10)


# -- int8 ----------------------------------------------------------------------------------------


def test_activation_quant_matches_tflite_rules() -> None:
    q = tm.activation_quant(0.0, 6.0)  # a RELU6 output
    assert q.zero_point == -128 and q.scale == pytest.approx(6.0 / 255)
    q = tm.activation_quant(-1.0, 1.0)
    assert q.scale == pytest.approx(2.0 / 255) and q.zero_point in (-1, 0)
    q = tm.activation_quant(0.5, 2.0)  # widened to hold 0
    assert q.zero_point == -128 and q.scale == pytest.approx(2.0 / 255)


@pytest.mark.parametrize("int8_io", [False, True], ids=["float_io", "int8_io"])
def test_int8_model_structure(int8_io: bool) -> None:
    data = tm.mobilenet_v2_int8(**SMALL, int8_io=int8_io)
    it = _preserving(data)
    (inp,), (out,) = it.get_input_details(), it.get_output_details()
    ops = [op["op_name"] for op in it._get_ops_details()]
    if int8_io:
        assert inp["dtype"] == np.int8 and out["dtype"] == np.int8
        assert out["quantization"] == (pytest.approx(1 / 256), -128)
        assert "QUANTIZE" not in ops and "DEQUANTIZE" not in ops
    else:
        assert inp["dtype"] == np.float32 and out["dtype"] == np.float32
        assert ops[0] == "QUANTIZE" and ops[-1] == "DEQUANTIZE"
    tensors = it.get_tensor_details()
    for op in it._get_ops_details():
        if op["op_name"] not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            continue
        x, w, b = (tensors[i] for i in op["inputs"])
        wq, bq = w["quantization_parameters"], b["quantization_parameters"]
        assert w["dtype"] == np.int8 and b["dtype"] == np.int32 and x["dtype"] == np.int8
        assert not np.any(wq["zero_points"]) and not np.any(bq["zero_points"])
        if op["op_name"] == "FULLY_CONNECTED":
            assert wq["scales"].size == 1
        else:
            axis = 0 if op["op_name"] == "CONV_2D" else 3
            assert wq["quantized_dimension"] == axis
            assert wq["scales"].size == w["shape"][axis]
            assert np.abs(it.get_tensor(w["index"])).max() == 127  # symmetric, full range
        np.testing.assert_allclose(bq["scales"], x["quantization"][0] * wq["scales"],
                                   rtol=1e-6)


def _dequantized(it, detail: dict) -> np.ndarray:
    value = it.get_tensor(detail["index"])
    q = detail["quantization_parameters"]
    if q["scales"].size == 0:  # float, or an unquantized integer tensor (MEAN's axes)
        return value
    scales, zeros = q["scales"].astype(np.float64), q["zero_points"]
    if scales.size > 1:
        shape = [1] * value.ndim
        shape[q["quantized_dimension"]] = -1
        scales, zeros = scales.reshape(shape), zeros.reshape(shape)
    return ((value.astype(np.float64) - zeros) * scales).astype(np.float32)


def _per_layer_steps(net: tm.Network, data: bytes, image: np.ndarray) -> dict[str, int]:
    """For every int8 layer: the largest distance in quantization steps between its int8
    output and the float layer applied to its dequantized int8 inputs, requantized."""
    it = _preserving(data)
    it.set_tensor(it.get_input_details()[0]["index"],
                  image.astype(it.get_input_details()[0]["dtype"]))
    it.invoke()
    tensors = it.get_tensor_details()
    by_name = {layer.output: layer for layer in net.layers}
    steps = {}
    for op in it._get_ops_details():
        out = tensors[op["outputs"][0]]
        layer = by_name.get(out["name"].removesuffix("_int8"))
        if layer is None or out["dtype"] != np.int8:
            continue
        ins = [_dequantized(it, tensors[i]) for i in op["inputs"]]
        if layer.kind in ("conv", "dwconv", "fc"):
            layer = tm.Layer(layer.kind, layer.name, layer.inputs, layer.output, layer.shape,
                             ins[1], ins[2], layer.stride, layer.activation)
        want = tm._layer_output(layer, ins[:2] if layer.kind == "add" else ins[:1])
        scale, zero = out["quantization"]
        want_q = np.clip(np.round(want.astype(np.float64) / scale) + zero, -128, 127)
        got = it.get_tensor(out["index"]).astype(np.int64)
        steps[layer.name] = int(np.abs(got - want_q).max())
    return steps


@not_on_tflite_runtime("the int8 models follow ai-edge-litert's kernels; 2.14 computes "
                       "the linear 1x1 "
                       "projection convolutions up to 80 steps away (not investigated)")
@pytest.mark.parametrize("model", ["tiny_cnn", "mobilenet_v2"])
def test_int8_layers_requantize_within_one_step(model: str) -> None:
    if model == "tiny_cnn":
        net, data = tm._tiny_cnn(0), tm.tiny_cnn_int8()
    else:
        net, data = tm._mobilenet_v2(96, 0.35, 0), tm.mobilenet_v2_int8(**SMALL)
    image = tm.sample_images(1, net.input_shape, seed=7)[0]
    steps = _per_layer_steps(net, data, image)
    assert len(steps) == len(net.layers)
    softmax = [layer.name for layer in net.layers if layer.kind == "softmax"]
    assert all(v <= (2 if name in softmax else 1) for name, v in steps.items()), steps


def test_int8_calibration_covers_the_float_ranges() -> None:
    net = tm._mobilenet_v2(96, 0.35, 0)
    ranges = tm.calibrate(net, 0)
    assert set(ranges) == {net.input_name} | {layer.output for layer in net.layers}
    for layer in net.layers:
        lo, hi = ranges[layer.output]
        if layer.activation == "RELU6":
            assert lo == 0.0 and 0.0 < hi <= 6.0


def _int8_logits(data: bytes, image: np.ndarray) -> np.ndarray:
    it = _preserving(data)
    it.set_tensor(it.get_input_details()[0]["index"], image)
    it.invoke()
    (detail,) = [t for t in it.get_tensor_details() if t["name"] == "predictions"]
    return _dequantized(it, detail)[0]


@not_on_tflite_runtime("the int8 models follow ai-edge-litert's kernels; 2.14 computes "
                       "the linear 1x1 "
                       "projection convolutions up to 80 steps away (not investigated)")
def test_int8_mobilenet_v2_logits_follow_the_float_model() -> None:
    net = tm._mobilenet_v2(224, 1.0, 0)
    data = tm.mobilenet_v2_int8()
    images = tm.sample_images(4, net.input_shape, seed=1)
    float_logits = tm.forward(net, np.concatenate(images))["predictions"]
    correlations = [np.corrcoef(_int8_logits(data, x), f)[0, 1]
                    for x, f in zip(images, float_logits, strict=True)]
    assert min(correlations) > 0.6, correlations
    # and the float32 output is a probability vector
    (p,) = run(data, images[:1], builtin_only=True)
    # each of the 1000 probabilities is rounded to a step of 1/256 (most small ones to 0)
    _probabilities_ok(p, 1000, tolerance=0.1)
    assert np.all(np.round(p * 256) == p * 256)


def test_int8_tiny_cnn_top1_agrees_with_float() -> None:
    net = tm._tiny_cnn(0)
    data = tm.tiny_cnn_int8()
    images = tm.sample_images(16, net.input_shape, seed=1)
    want = tm.forward(net, np.concatenate(images))["Identity"].argmax(axis=1)
    got = [int(run(data, [x], builtin_only=True)[0].argmax()) for x in images]
    assert int(np.sum(np.array(got) == want)) >= 12
