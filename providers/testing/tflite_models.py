"""Built-in TFLite models for tests and the benchmarks, generated with
:mod:`webnn_providers.testing.tflite_writer` from seeded random weights (no TensorFlow, no
downloads), and the TFLite benchmark's model set (:func:`prepare`).

- :func:`mobilenet_v2`: MobileNetV2 in float32 NHWC as the TFLite converter emits a Keras
  model: BatchNorm folded into conv weights and biases, RELU6 fused into the convolutions,
  SAME padding, the residual ADDs, MEAN over H and W (``keep_dims`` false) for global average
  pooling, FULLY_CONNECTED to 1000 classes and SOFTMAX.
- :func:`mobilenet_v2_int8`: the same network after TFLite's post-training full-integer
  quantization: int8 activations with per-tensor scales and zero points calibrated from the
  float model's activation ranges on a few seeded inputs, int8 conv/depthwise weights with
  per-channel symmetric scales (FULLY_CONNECTED per-tensor, as the converter does), int32
  biases with scale ``input_scale * weight_scale[c]``, softmax output scale 1/256 zero point
  -128; float32 input and output through QUANTIZE / DEQUANTIZE (or int8 in and out).
- :func:`tiny_cnn` / :func:`tiny_cnn_int8`: a few ops of the same kinds, for fast tests.

Random weights: He-initialized (``std = sqrt(2 / fan_in)`` before RELU6, ``sqrt(1 / fan_in)``
for the linear projections) with a random per-channel gain in [0.5, 1.5] and small biases,
which stand for the folded BatchNorm and give the per-channel weight scales a realistic
spread. Activations then stay within a few units (RELU6 outputs are in [0, 6] anyway). The
classifier is set from one calibration pass: its bias centers the logits on the
calibration images' mean features and its weights are scaled so the logits spread with a
standard deviation of :data:`LOGIT_STD`, so the softmax is peaked and its top-1 depends on
the input (with raw random weights every input would get the same class).

Inputs: :func:`sample_images` makes seeded "images" in [-1, 1] (MobileNetV2's input range):
smooth random patterns plus noise, with random brightness and contrast, so that different
images give different classes.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import SHARED_MODELS
from .tflite_writer import ModelWriter, Quant, interpreter_module

__all__ = ["BUILTIN_MODELS", "DEFAULT_BUILTIN", "LOGIT_STD", "MOBILENET_V2_BLOCKS", "Model",
           "REAL_MODELS", "REAL_MODELS_DIR", "known_models", "mobilenet_v2",
           "mobilenet_v2_int8", "model_inputs", "prepare", "quantize_network",
           "sample_images", "tiny_cnn", "tiny_cnn_int8"]

#: standard deviation of the classifier's logits over classes on the calibration images
LOGIT_STD = 4.0
#: (expansion t, output channels c, repeats n, first stride s) of MobileNetV2's blocks
MOBILENET_V2_BLOCKS: tuple[tuple[int, int, int, int], ...] = (
    (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
    (6, 160, 3, 2), (6, 320, 1, 1))
#: calibration images for the int8 models and the classifier's centering
CALIBRATION_IMAGES = 4
#: seed offset of the calibration images (so they differ from test images of the same seed)
_CALIBRATION_SEED = 10_000


# -- a small network description ---------------------------------------------------------------


@dataclass
class Layer:
    """One TFLite operator of a network: ``kind`` is conv, dwconv, add, mean, fc or softmax;
    weights in TFLite layout (conv OHWI, depthwise [1, H, W, C], fully connected [out, in])."""

    kind: str
    name: str
    inputs: list[str]
    output: str
    shape: tuple[int, ...]
    weight: np.ndarray | None = None
    bias: np.ndarray | None = None
    stride: int = 1
    activation: str = "NONE"


@dataclass
class Network:
    """A single-input, single-output network: its layers in execution order."""

    name: str
    input_name: str
    input_shape: tuple[int, ...]
    layers: list[Layer] = field(default_factory=list)

    @property
    def output(self) -> str:
        return self.layers[-1].output

    def shape_of(self, tensor: str) -> tuple[int, ...]:
        if tensor == self.input_name:
            return self.input_shape
        return next(layer.shape for layer in self.layers if layer.output == tensor)

    @property
    def parameters(self) -> int:
        return sum(int(a.size) for layer in self.layers for a in (layer.weight, layer.bias)
                   if a is not None)


class _Builder:
    """Appends layers with He-initialized random weights to a :class:`Network`; biases and
    per-channel scales come later from :func:`fold_batchnorm`."""

    def __init__(self, net: Network, seed: int) -> None:
        self.net = net
        self.rng = np.random.default_rng(seed)

    def conv(self, name: str, x: str, channels: int, kernel: int = 1, stride: int = 1,
             activation: str = "RELU6") -> str:
        n, h, w, c = self.net.shape_of(x)
        fan_in = kernel * kernel * c
        std = np.sqrt((2.0 if activation != "NONE" else 1.0) / fan_in)
        weight = self.rng.normal(0.0, std, (channels, kernel, kernel, c)).astype(np.float32)
        shape = (n, -(-h // stride), -(-w // stride), channels)
        self.net.layers.append(Layer("conv", name, [x], name, shape, weight,
                                     np.zeros(channels, np.float32), stride, activation))
        return name

    def dwconv(self, name: str, x: str, stride: int = 1, activation: str = "RELU6") -> str:
        n, h, w, c = self.net.shape_of(x)
        weight = self.rng.normal(0.0, np.sqrt(2.0 / 9.0), (1, 3, 3, c)).astype(np.float32)
        shape = (n, -(-h // stride), -(-w // stride), c)
        self.net.layers.append(Layer("dwconv", name, [x], name, shape, weight,
                                     np.zeros(c, np.float32), stride, activation))
        return name

    def add(self, name: str, a: str, b: str) -> str:
        self.net.layers.append(Layer("add", name, [a, b], name, self.net.shape_of(a)))
        return name

    def mean(self, name: str, x: str) -> str:
        n, _, _, c = self.net.shape_of(x)
        self.net.layers.append(Layer("mean", name, [x], name, (n, c)))
        return name

    def fc(self, name: str, x: str, units: int) -> str:
        n, c = self.net.shape_of(x)
        weight = self.rng.normal(0.0, np.sqrt(1.0 / c), (units, c)).astype(np.float32)
        self.net.layers.append(Layer("fc", name, [x], name, (n, units), weight,
                                     np.zeros(units, np.float32)))
        return name

    def softmax(self, name: str, x: str) -> str:
        self.net.layers.append(Layer("softmax", name, [x], name, self.net.shape_of(x)))
        return name


def _make_divisible(value: float, divisor: int = 8) -> int:
    """Keras' channel rounding: to a multiple of ``divisor``, never below 90% of ``value``."""
    new = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * value else new


def mobilenet_v2_network(input_size: int = 224, width: float = 1.0, seed: int = 0,
                         classes: int = 1000) -> Network:
    """MobileNetV2 (Keras' ``applications.MobileNetV2`` layer for layer, BN folded) with
    random weights before :func:`fold_batchnorm` sets the per-channel scales and biases.
    """
    net = Network("mobilenet_v2", "input", (1, input_size, input_size, 3))
    b = _Builder(net, seed)
    x = b.conv("Conv1", "input", _make_divisible(32 * width), kernel=3, stride=2)
    channels = net.shape_of(x)[-1]
    block = 0
    for t, c, n, s in MOBILENET_V2_BLOCKS:
        out_channels = _make_divisible(c * width)
        for i in range(n):
            stride = s if i == 0 else 1
            prefix = "expanded_conv" if block == 0 else f"block_{block}"
            y = x
            if t != 1:
                y = b.conv(f"{prefix}_expand", y, channels * t)
            y = b.dwconv(f"{prefix}_depthwise", y, stride)
            y = b.conv(f"{prefix}_project", y, out_channels, activation="NONE")
            if stride == 1 and channels == out_channels:
                y = b.add(f"{prefix}_add", x, y)
            x, channels = y, out_channels
            block += 1
    last = _make_divisible(1280 * width) if width > 1.0 else 1280
    x = b.conv("Conv_1", x, last)
    x = b.mean("global_average_pooling2d", x)
    x = b.fc("predictions", x, classes)
    b.softmax("Identity", x)
    return net


def tiny_cnn_network(seed: int = 0, input_size: int = 16, classes: int = 10) -> Network:
    """conv 3x3/2 + RELU6, depthwise 3x3 + RELU6, 1x1 projection, residual ADD, MEAN,
    FULLY_CONNECTED, SOFTMAX on a 16x16x3 input: one op of each MobileNetV2 kind."""
    net = Network("tiny_cnn", "input", (1, input_size, input_size, 3))
    b = _Builder(net, seed)
    x = b.conv("conv", "input", 8, kernel=3, stride=2)
    y = b.dwconv("depthwise", x)
    y = b.conv("project", y, 8, activation="NONE")
    x = b.add("add", x, y)
    x = b.mean("mean", x)
    x = b.fc("logits", x, classes)
    b.softmax("Identity", x)
    return net


# -- inputs --------------------------------------------------------------------------------------


def sample_images(count: int, shape: Sequence[int], seed: int = 0) -> list[np.ndarray]:
    """``count`` seeded float32 images of ``shape`` (NHWC, batch 1) in [-1, 1]: a smooth
    random pattern (a coarse random grid upsampled) plus noise, with random contrast and
    brightness."""
    rng = np.random.default_rng(seed)
    n, h, w, c = (int(d) for d in shape)
    images = []
    for _ in range(count):
        grid = rng.uniform(-1.0, 1.0, (n, 4, 4, c))
        rows = np.linspace(0, 3, h)
        cols = np.linspace(0, 3, w)
        r0 = np.minimum(rows.astype(int), 2)
        c0 = np.minimum(cols.astype(int), 2)
        fr = (rows - r0)[None, :, None, None]
        fc = (cols - c0)[None, None, :, None]
        top = grid[:, r0][:, :, c0] * (1 - fc) + grid[:, r0][:, :, c0 + 1] * fc
        bottom = grid[:, r0 + 1][:, :, c0] * (1 - fc) + grid[:, r0 + 1][:, :, c0 + 1] * fc
        smooth = top * (1 - fr) + bottom * fr
        image = rng.uniform(0.3, 1.0) * smooth + 0.3 * rng.standard_normal((n, h, w, c))
        image += rng.uniform(-0.3, 0.3)
        images.append(np.clip(image, -1.0, 1.0).astype(np.float32))
    return images


# -- float models ----------------------------------------------------------------------------


def _float_flatbuffer(net: Network) -> bytes:
    """``net`` as a float32 TFLite model."""
    m = ModelWriter(net.name)
    tensors = {net.input_name: m.input(net.input_name, net.input_shape, "float32")}
    for layer in net.layers:
        ins = [tensors[name] for name in layer.inputs]
        out = m.tensor(layer.output, layer.shape, "float32")
        if layer.kind in ("conv", "dwconv", "fc"):
            ins += [m.constant(f"{layer.name}/weights", layer.weight),
                    m.constant(f"{layer.name}/bias", layer.bias)]
        _emit(m, layer, ins, out, int8=False)
        tensors[layer.output] = out
    m.output(tensors[net.output])
    return m.finish()


def _emit(m: ModelWriter, layer: Layer, ins: list[int], out: int, int8: bool) -> None:
    """The operator of ``layer`` with the versions the converter writes (int8 kernels have
    their own op versions)."""
    if layer.kind == "conv":
        m.op("CONV_2D", ins, [out], version=3 if int8 else 1, padding="SAME",
             stride_w=layer.stride, stride_h=layer.stride, dilation_w_factor=1,
             dilation_h_factor=1, fused_activation_function=layer.activation)
    elif layer.kind == "dwconv":
        m.op("DEPTHWISE_CONV_2D", ins, [out], version=3 if int8 else 1, padding="SAME",
             stride_w=layer.stride, stride_h=layer.stride, depth_multiplier=1,
             dilation_w_factor=1, dilation_h_factor=1,
             fused_activation_function=layer.activation)
    elif layer.kind == "add":
        m.op("ADD", ins, [out], version=2 if int8 else 1,
             fused_activation_function=layer.activation)
    elif layer.kind == "mean":
        axes = m.constant(f"{layer.name}/reduction_indices", np.array([1, 2], np.int32))
        m.op("MEAN", [*ins, axes], [out], version=2 if int8 else 1, keep_dims=False)
    elif layer.kind == "fc":
        m.op("FULLY_CONNECTED", ins, [out], version=4 if int8 else 1,
             fused_activation_function=layer.activation, keep_num_dims=False)
    elif layer.kind == "softmax":
        m.op("SOFTMAX", ins, [out], version=2 if int8 else 1, beta=1.0)
    else:  # pragma: no cover - the builders make no other kinds
        raise ValueError(f"unknown layer kind {layer.kind!r}")


def _all_tensors(data: bytes, images: Sequence[np.ndarray]) -> list[dict[str, np.ndarray]]:
    """Every tensor of model ``data`` by name after one invoke per image (builtin kernels,
    ``experimental_preserve_all_tensors``, so intermediates keep their values)."""
    module = interpreter_module()
    with warnings.catch_warnings():  # "intended for debugging purposes only"
        warnings.simplefilter("ignore", UserWarning)
        interp = module.Interpreter(
            model_content=data, experimental_preserve_all_tensors=True,
            experimental_op_resolver_type=module.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interp.allocate_tensors()
    (detail,) = interp.get_input_details()
    records = []
    for image in images:
        interp.set_tensor(detail["index"], image)
        interp.invoke()
        values = {}
        for t in interp.get_tensor_details():
            try:
                values[t["name"]] = np.array(interp.get_tensor(t["index"]))
            except ValueError:  # tensors without data (none here, but be safe)
                continue
        records.append(values)
    return records


# -- numpy reference and BatchNorm folding ----------------------------------------------------


def _pad_same(x: np.ndarray, kernel: int, stride: int) -> tuple[np.ndarray, int, int]:
    """``x`` (NHWC) padded as TFLite's SAME padding does (the extra row/column after), and
    the output height and width."""
    _, h, w, _ = x.shape
    oh, ow = -(-h // stride), -(-w // stride)
    ph = max((oh - 1) * stride + kernel - h, 0)
    pw = max((ow - 1) * stride + kernel - w, 0)
    return (np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0))),
            oh, ow)


def _windows(x: np.ndarray, kernel: int, stride: int) -> list[np.ndarray]:
    """The ``kernel * kernel`` strided views of the SAME-padded ``x``, row-major."""
    xp, oh, ow = _pad_same(x, kernel, stride)
    return [xp[:, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride, :]
            for i in range(kernel) for j in range(kernel)]


def _linear_part(layer: Layer, x: np.ndarray) -> np.ndarray:
    """conv / depthwise / fully connected without bias and activation (float32 numpy)."""
    w = layer.weight
    if layer.kind == "conv":
        o, k, _, c = w.shape
        patches = x if k == 1 and layer.stride == 1 else np.concatenate(
            _windows(x, k, layer.stride), axis=-1)
        return patches @ w.reshape(o, k * k * c).T
    if layer.kind == "dwconv":
        k = w.shape[1]
        out = np.zeros_like(_windows(x, k, layer.stride)[0])
        for (i, j), view in zip(np.ndindex(k, k), _windows(x, k, layer.stride)):
            out += view * w[0, i, j]
        return out
    return x @ w.T  # fc


def _activate(y: np.ndarray, activation: str) -> np.ndarray:
    if activation == "RELU6":
        return np.clip(y, 0.0, 6.0)
    if activation == "RELU":
        return np.maximum(y, 0.0)
    return y


def _layer_output(layer: Layer, ins: list[np.ndarray]) -> np.ndarray:
    """What ``layer`` computes from its input values (float32 numpy)."""
    if layer.kind in ("conv", "dwconv", "fc"):
        y = _activate(_linear_part(layer, ins[0]) + layer.bias, layer.activation)
    elif layer.kind == "add":
        y = _activate(ins[0] + ins[1], layer.activation)
    elif layer.kind == "mean":
        y = ins[0].mean(axis=(1, 2))
    else:  # softmax
        e = np.exp(ins[0] - ins[0].max(axis=-1, keepdims=True))
        y = e / e.sum(axis=-1, keepdims=True)
    return y.astype(np.float32)


def forward(net: Network, x: np.ndarray) -> dict[str, np.ndarray]:
    """Every layer output of ``net`` (and its input) by tensor name for the NHWC input batch
    ``x``, computed with numpy in float32: an independent reference of the interpreter."""
    values = {net.input_name: np.asarray(x, np.float32)}
    for layer in net.layers:
        values[layer.output] = _layer_output(layer, [values[name] for name in layer.inputs])
    return values


def fold_batchnorm(net: Network, images: np.ndarray, seed: int) -> Network:
    """Give ``net`` the per-channel scales and biases of trained, folded BatchNorms.

    Layer by layer over the calibration batch ``images``: the convolution's output
    ``z`` (no bias) has per-channel mean ``mu`` and deviation ``sigma``; a BatchNorm
    ``gamma * (z - mu) / sigma + beta`` with random ``gamma`` in [0.5, 1.5] and ``beta``
    around 0.3 before RELU6 (around 0 before a linear projection) is folded into the
    weights (``w * gamma / sigma``) and the bias (``beta - mu * gamma / sigma``), so
    every pre-activation is roughly ``N(beta, gamma^2)`` per channel: RELU6 outputs mostly
    in [0, 3], rarely saturated, as in a trained network. The classifier's bias centers the
    logits on the calibration images' mean features and its weights are scaled so the
    logits spread with standard deviation :data:`LOGIT_STD`.
    """
    rng = np.random.default_rng([seed, 1])
    values = {net.input_name: np.asarray(images, np.float32)}
    layers = []
    for layer in net.layers:
        ins = [values[name] for name in layer.inputs]
        if layer.kind in ("conv", "dwconv"):
            z = _linear_part(layer, ins[0]).astype(np.float64)
            mu, sigma = z.mean(axis=(0, 1, 2)), z.std(axis=(0, 1, 2)) + 1e-6
            channels = mu.size
            gamma = rng.uniform(0.5, 1.5, channels)
            beta = rng.normal(0.3 if layer.activation != "NONE" else 0.0, 0.2, channels)
            factor = gamma / sigma
            axis = (slice(None), None, None, None) if layer.kind == "conv" else (
                None, None, None, slice(None))
            layer = replace(layer, weight=(layer.weight * factor[axis]).astype(np.float32),
                            bias=(beta - mu * factor).astype(np.float32))
        elif layer.kind == "fc":
            features = ins[0].astype(np.float64)
            mean = features.mean(axis=0)
            logits = (features - mean) @ layer.weight.T.astype(np.float64)
            weight = (layer.weight * (LOGIT_STD / max(float(logits.std()), 1e-12)))
            layer = replace(layer, weight=weight.astype(np.float32),
                            bias=(-(weight.astype(np.float64) @ mean)).astype(np.float32))
        layers.append(layer)
        values[layer.output] = _layer_output(layer, ins)
    return replace(net, layers=layers)


def _folded(net: Network, seed: int) -> Network:
    images = np.concatenate(sample_images(CALIBRATION_IMAGES, net.input_shape,
                                          seed + _CALIBRATION_SEED))
    return fold_batchnorm(net, images, seed)


@functools.lru_cache(maxsize=8)
def _mobilenet_v2(input_size: int, width: float, seed: int) -> Network:
    return _folded(mobilenet_v2_network(input_size, width, seed), seed)


@functools.lru_cache(maxsize=4)
def _tiny_cnn(seed: int) -> Network:
    return _folded(tiny_cnn_network(seed), seed)


def mobilenet_v2(input_size: int = 224, width: float = 1.0, seed: int = 0) -> bytes:
    """Float32 MobileNetV2 (input ``[1, input_size, input_size, 3]`` in [-1, 1], output
    ``[1, 1000]`` probabilities) with seeded random weights; see the module doc."""
    return _float_flatbuffer(_mobilenet_v2(int(input_size), float(width), int(seed)))


def tiny_cnn(seed: int = 0) -> bytes:
    """A 7-op float32 CNN (input ``[1, 16, 16, 3]``, output ``[1, 10]`` probabilities)."""
    return _float_flatbuffer(_tiny_cnn(int(seed)))


# -- int8 models -----------------------------------------------------------------------------


def activation_quant(low: float, high: float) -> Quant:
    """TFLite's asymmetric int8 parameters of a calibrated range: the range is widened to
    hold 0, ``scale = (high - low) / 255`` and the zero point is rounded and clamped so that
    0.0 is exactly representable."""
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    if high - low < 1e-9:
        high = low + 1e-9
    scale = (high - low) / 255.0
    zero_point = int(np.clip(np.round(-128.0 - low / scale), -128, 127))
    return Quant(scale, zero_point)


def _per_channel(weight: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per-channel quantization along ``axis``: (int8 weights in
    [-127, 127], scales)."""
    others = tuple(d for d in range(weight.ndim) if d != axis)
    scale = np.max(np.abs(weight), axis=others).astype(np.float64) / 127.0
    scale = np.where(scale > 0, scale, 1.0)
    shape = [1] * weight.ndim
    shape[axis] = -1
    q = np.clip(np.round(weight / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


#: softmax output quantization fixed by TFLite's int8 kernel
SOFTMAX_QUANT = Quant(1.0 / 256.0, -128)


def calibrate(net: Network, seed: int, images: int = CALIBRATION_IMAGES
              ) -> dict[str, tuple[float, float]]:
    """Min and max of the input and of every layer output of ``net`` over ``images``
    seeded calibration images (the float model run in the interpreter)."""
    data = _float_flatbuffer(net)
    inputs = sample_images(images, net.input_shape, seed + _CALIBRATION_SEED)
    ranges: dict[str, tuple[float, float]] = {}
    names = [net.input_name] + [layer.output for layer in net.layers]
    for record in _all_tensors(data, inputs):
        for name in names:
            lo, hi = float(record[name].min()), float(record[name].max())
            old = ranges.get(name, (lo, hi))
            ranges[name] = (min(lo, old[0]), max(hi, old[1]))
    return ranges


def quantize_network(net: Network, ranges: dict[str, tuple[float, float]],
                     int8_io: bool = False) -> bytes:
    """``net`` fully int8-quantized with the activation ``ranges`` (from :func:`calibrate`).
    With ``int8_io`` the model's input and output are the int8 tensors; otherwise a
    QUANTIZE op takes the float32 input and a DEQUANTIZE op gives a float32 output."""
    m = ModelWriter(net.name + "_int8")
    quant = {name: activation_quant(*r) for name, r in ranges.items()}
    for layer in net.layers:
        if layer.kind == "softmax":
            quant[layer.output] = SOFTMAX_QUANT
    in_q = quant[net.input_name]
    if int8_io:
        x = m.input(f"{net.input_name}_int8", net.input_shape, "int8", in_q)
    else:
        x_float = m.input(net.input_name, net.input_shape, "float32")
        x = m.tensor(f"{net.input_name}_int8", net.input_shape, "int8", in_q)
        m.op("QUANTIZE", [x_float], [x])
    tensors = {net.input_name: x}
    for layer in net.layers:
        q_out = quant[layer.output]
        ins = [tensors[name] for name in layer.inputs]
        out_name = f"{layer.output}_int8" if layer is net.layers[-1] else layer.output
        out = m.tensor(out_name, layer.shape, "int8", q_out)
        if layer.kind in ("conv", "dwconv", "fc"):
            in_scale = float(quant[layer.inputs[0]].scale)
            if layer.kind == "fc":  # the converter quantizes dense weights per tensor
                w_scale = np.array([max(float(np.abs(layer.weight).max()), 1e-12) / 127.0])
                w_q = np.clip(np.round(layer.weight / w_scale[0]), -127, 127).astype(np.int8)
                w_quant = Quant(float(w_scale[0]), 0)
            else:
                axis = 0 if layer.kind == "conv" else 3
                w_q, w_scale = _per_channel(layer.weight, axis)
                w_quant = Quant(w_scale.tolist(), 0, axis)
            b_scale = in_scale * w_scale
            b_q = np.round(layer.bias.astype(np.float64) / b_scale).astype(np.int32)
            ins += [m.constant(f"{layer.name}/weights", w_q, w_quant),
                    m.constant(f"{layer.name}/bias", b_q,
                               Quant(b_scale.tolist() if b_scale.size > 1
                                     else float(b_scale[0]), 0))]
        _emit(m, layer, ins, out, int8=True)
        tensors[layer.output] = out
    y = tensors[net.output]
    if int8_io:
        m.output(y)
    else:
        y_float = m.tensor(net.output, net.shape_of(net.output), "float32")
        m.op("DEQUANTIZE", [y], [y_float], version=2)
        m.output(y_float)
    return m.finish()


def mobilenet_v2_int8(input_size: int = 224, width: float = 1.0, seed: int = 0,
                      int8_io: bool = False) -> bytes:
    """:func:`mobilenet_v2` after full-integer post-training quantization, calibrated on
    :data:`CALIBRATION_IMAGES` seeded images; float32 in/out unless ``int8_io``."""
    net = _mobilenet_v2(int(input_size), float(width), int(seed))
    return quantize_network(net, calibrate(net, int(seed)), int8_io)


def tiny_cnn_int8(seed: int = 0, int8_io: bool = False) -> bytes:
    """:func:`tiny_cnn` fully int8-quantized like :func:`mobilenet_v2_int8`."""
    net = _tiny_cnn(int(seed))
    return quantize_network(net, calibrate(net, int(seed)), int8_io)


# -- the benchmark model set -------------------------------------------------------------------

#: built-in models: name -> bytes factory (keyword ``seed``)
BUILTIN_MODELS: dict[str, Callable[..., bytes]] = {
    "mobilenet_v2": mobilenet_v2, "mobilenet_v2_int8": mobilenet_v2_int8,
    "tiny_cnn": tiny_cnn, "tiny_cnn_int8": tiny_cnn_int8}
#: the built-in models a benchmark runs by default
DEFAULT_BUILTIN = ("mobilenet_v2", "mobilenet_v2_int8")
#: the real models' directory (read-only data next to the repository; absent ones skipped)
REAL_MODELS_DIR = SHARED_MODELS / "tflite"
REAL_MODELS = ("vww_96_float", "vww_96_int8", "mobilenet_v1_0.25_128_quant",
               "face_detection_short_range", "selfie_segmentation", "hand_landmark_lite",
               "pretrainedResnet", "kws_ref_model_float32", "ultraface_rfb_320")


@dataclass
class Model:
    """A model written to ``path`` with seeded inputs (interpreter input order)."""

    name: str
    source: str  # "built-in", "shared" (a real model) or "user"
    path: str
    size_bytes: int
    inputs: list[np.ndarray]


def known_models() -> list[str]:
    """The built-in and the real model names."""
    return list(BUILTIN_MODELS) + [n for n in REAL_MODELS if n not in BUILTIN_MODELS]


def model_inputs(path: str, seed: int) -> list[np.ndarray]:
    """Seeded inputs for the model at ``path``, from the interpreter's input details: float
    images (NHWC with 1 or 3 channels) from :func:`sample_images`, other float tensors
    uniform in [-1, 1], integer tensors uniform over their type's range."""
    module = interpreter_module()
    interp = module.Interpreter(model_path=path)
    rng = np.random.default_rng(seed)
    arrays = []
    for k, detail in enumerate(interp.get_input_details()):
        shape, dtype = tuple(int(d) for d in detail["shape"]), np.dtype(detail["dtype"])
        if dtype.kind == "f":
            if len(shape) == 4 and shape[-1] in (1, 3) and min(shape[1:3]) >= 4:
                value = sample_images(1, shape, seed + k)[0]
            else:
                value = rng.uniform(-1.0, 1.0, shape)
        elif dtype.kind in "iu":
            info = np.iinfo(dtype)
            value = rng.integers(max(info.min, -128), min(info.max, 255), shape, endpoint=True)
        else:
            value = rng.integers(0, 2, shape)
        arrays.append(np.ascontiguousarray(value, dtype=dtype))
    return arrays


def user_model(path: str | os.PathLike, seed: int = 0) -> Model:
    """A ``.tflite`` file of the user's, with seeded inputs; FileNotFoundError if absent."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such model file: {path}")
    return Model(path.stem, "user", os.fspath(path), path.stat().st_size,
                 model_inputs(os.fspath(path), seed))


def prepare(name: str, workdir: str | os.PathLike, seed: int = 0,
            models_dir: Path | None = None) -> Model:
    """Write model ``name`` into ``workdir`` (built-in) or copy it there (real, from
    ``models_dir``, default :data:`REAL_MODELS_DIR`); FileNotFoundError when a real model is
    absent."""
    if name in BUILTIN_MODELS:
        data = BUILTIN_MODELS[name](seed=seed)
        path = os.path.join(workdir, f"{name}.tflite")
        Path(path).write_bytes(data)
        source = "built-in"
    else:
        real = (models_dir or REAL_MODELS_DIR) / f"{name}.tflite"
        if not real.is_file():
            raise FileNotFoundError(f"absent: {real}")
        path = os.path.join(workdir, real.name)
        Path(path).write_bytes(real.read_bytes())
        source = "shared"
    return Model(name, source, path, os.path.getsize(path), model_inputs(path, seed))
