"""Benchmark networks, described once and emitted two ways from the same weights.

A :class:`Network` is a short list of :class:`Layer` records (conv with folded batchnorm,
relu, max pool, add, global average pool, flatten, gemm) plus a dict of float32 weights.
:func:`build_webnn` turns it into hand-written WebNN builder calls; :func:`to_onnx` turns it
into an ONNX model (Conv with bias, Relu, MaxPool, Add, GlobalAveragePool, Flatten, Gemm)
that OpenVINO reads natively. Both use the very same arrays, so their outputs must agree.

Networks (:data:`NETWORKS`):

- ``resnet50``: ResNet-50 **v1.5** (the torchvision layout: in each bottleneck the stride
  sits on the 3x3 conv, not on the first 1x1 as in the original v1), 1x3x224x224 -> 1x1000.
  Stem 7x7/2 conv 64 + relu + 3x3/2 max pool (padding 1); bottleneck stages [3, 4, 6, 3] of
  widths 64/128/256/512 with expansion 4; a projection shortcut (1x1 conv, stride of the
  block) on the first block of each stage; global average pool, flatten, 1000-way gemm.
- ``resnet-tiny``: the same generator with stages [1, 1] of widths 8/16 on 1x3x32x32 inputs
  and 10 classes: every layer type of ResNet-50 in a graph that builds and runs in
  milliseconds (used by the smoke test).

Weights are seeded: He-normal convolutions followed by a random batchnorm folded into the
conv weights and bias, as deployed models are. The batchnorm scale of the last conv of each
residual branch is damped (x0.2) so that the residual sum does not grow with depth and
activations stay O(1) through all 16 blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

BN_EPSILON = 1e-5


@dataclass(frozen=True)
class Layer:
    """One layer: ``op`` applied to the named ``inputs`` produces the value ``name``.

    ops and attrs: ``conv`` (out_channels, kernel, stride, pad; weights ``<name>.weight``
    [O, I, k, k] and ``<name>.bias`` [O]), ``relu``, ``maxpool`` (kernel, stride, pad),
    ``add``, ``global_avgpool``, ``flatten``, ``gemm`` (out_features; weights
    ``<name>.weight`` [N, K] used transposed, ``<name>.bias`` [N]).
    """

    op: str
    name: str
    inputs: tuple[str, ...]
    attrs: dict[str, int] = field(default_factory=dict)


@dataclass
class Network:
    """A network: its single input, its single output, layers in order, weights by name."""

    name: str
    input_name: str
    input_shape: tuple[int, ...]
    output_name: str
    layers: list[Layer]
    weights: dict[str, np.ndarray]

    @property
    def output_shape(self) -> tuple[int, ...]:
        last = self.layers[-1]
        return (self.input_shape[0], last.attrs["out_features"])

    def parameter_count(self) -> int:
        return int(sum(w.size for w in self.weights.values()))

    def op_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for layer in self.layers:
            counts[layer.op] = counts.get(layer.op, 0) + 1
        return counts

    def random_input(self, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return rng.standard_normal(self.input_shape, dtype=np.float32)


# -- generation --------------------------------------------------------------------------


class _Maker:
    """Appends layers and generates their seeded weights, tracking channel counts."""

    def __init__(self, seed: int, input_name: str, channels: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        self.weights: dict[str, np.ndarray] = {}
        self.channels = {input_name: channels}

    def _add(self, op: str, name: str, inputs: tuple[str, ...], channels: int,
             **attrs: int) -> str:
        self.layers.append(Layer(op, name, inputs, dict(attrs)))
        self.channels[name] = channels
        return name

    def conv(self, name: str, x: str, out_channels: int, kernel: int, stride: int = 1,
             bn_scale: float = 1.0) -> str:
        """Conv (padding kernel // 2) with a folded batchnorm: w' = w * g / sqrt(v + eps),
        b' = beta - mean * g / sqrt(v + eps)."""
        in_channels = self.channels[x]
        fan_in = in_channels * kernel * kernel
        w = self.rng.standard_normal((out_channels, in_channels, kernel, kernel))
        w *= np.sqrt(2.0 / fan_in)
        gamma = self.rng.uniform(0.8, 1.2, out_channels) * bn_scale
        beta = self.rng.normal(0.0, 0.1, out_channels)
        mean = self.rng.normal(0.0, 0.1, out_channels)
        var = self.rng.uniform(0.8, 1.2, out_channels)
        scale = gamma / np.sqrt(var + BN_EPSILON)
        self.weights[f"{name}.weight"] = (w * scale[:, None, None, None]).astype(np.float32)
        self.weights[f"{name}.bias"] = (beta - mean * scale).astype(np.float32)
        return self._add("conv", name, (x,), out_channels, out_channels=out_channels,
                         kernel=kernel, stride=stride, pad=kernel // 2)

    def relu(self, name: str, x: str) -> str:
        return self._add("relu", name, (x,), self.channels[x])

    def maxpool(self, name: str, x: str, kernel: int, stride: int, pad: int) -> str:
        return self._add("maxpool", name, (x,), self.channels[x], kernel=kernel,
                         stride=stride, pad=pad)

    def add(self, name: str, a: str, b: str) -> str:
        return self._add("add", name, (a, b), self.channels[a])

    def global_avgpool(self, name: str, x: str) -> str:
        return self._add("global_avgpool", name, (x,), self.channels[x])

    def flatten(self, name: str, x: str) -> str:
        return self._add("flatten", name, (x,), self.channels[x])

    def gemm(self, name: str, x: str, out_features: int) -> str:
        in_features = self.channels[x]
        bound = 1.0 / np.sqrt(in_features)
        self.weights[f"{name}.weight"] = self.rng.uniform(
            -bound, bound, (out_features, in_features)).astype(np.float32)
        self.weights[f"{name}.bias"] = self.rng.uniform(
            -bound, bound, out_features).astype(np.float32)
        return self._add("gemm", name, (x,), out_features, out_features=out_features)

    def bottleneck(self, prefix: str, x: str, width: int, stride: int,
                   expansion: int) -> str:
        """ResNet v1.5 bottleneck: 1x1 -> 3x3 (stride) -> 1x1 (x expansion) + shortcut."""
        out_channels = width * expansion
        y = self.relu(f"{prefix}.relu1", self.conv(f"{prefix}.conv1", x, width, 1))
        y = self.relu(f"{prefix}.relu2", self.conv(f"{prefix}.conv2", y, width, 3, stride))
        y = self.conv(f"{prefix}.conv3", y, out_channels, 1, bn_scale=0.2)
        shortcut = x
        if stride != 1 or self.channels[x] != out_channels:
            shortcut = self.conv(f"{prefix}.downsample", x, out_channels, 1, stride)
        return self.relu(f"{prefix}.relu3", self.add(f"{prefix}.add", y, shortcut))


def resnet(name: str, *, depths: tuple[int, ...], widths: tuple[int, ...], image_size: int,
           num_classes: int, stem_width: int = 64, expansion: int = 4, batch: int = 1,
           seed: int = 0) -> Network:
    """A ResNet v1.5 of bottleneck blocks with seeded, batchnorm-folded weights."""
    maker = _Maker(seed, "x", 3)
    y = maker.conv("stem.conv", "x", stem_width, 7, 2)
    y = maker.relu("stem.relu", y)
    y = maker.maxpool("stem.maxpool", y, kernel=3, stride=2, pad=1)
    for stage, (depth, width) in enumerate(zip(depths, widths, strict=True)):
        for block in range(depth):
            stride = 2 if block == 0 and stage > 0 else 1
            y = maker.bottleneck(f"layer{stage + 1}.{block}", y, width, stride, expansion)
    y = maker.global_avgpool("avgpool", y)
    y = maker.flatten("flatten", y)
    y = maker.gemm("fc", y, num_classes)
    return Network(name, "x", (batch, 3, image_size, image_size), y, maker.layers,
                   maker.weights)


def resnet50(seed: int = 0) -> Network:
    """ResNet-50 v1.5, 1x3x224x224 -> 1x1000 (25.5 M parameters)."""
    return resnet("resnet50", depths=(3, 4, 6, 3), widths=(64, 128, 256, 512),
                  image_size=224, num_classes=1000, seed=seed)


def resnet_tiny(seed: int = 0) -> Network:
    """A two-block ResNet with every layer type of ResNet-50, 1x3x32x32 -> 1x10."""
    return resnet("resnet-tiny", depths=(1, 1), widths=(8, 16), image_size=32,
                  num_classes=10, stem_width=16, seed=seed)


NETWORKS: dict[str, Callable[..., Network]] = {"resnet50": resnet50, "resnet-tiny": resnet_tiny}


# -- emission 1: WebNN builder calls --------------------------------------------------------


def build_webnn(builder: Any, net: Network) -> Any:
    """Emit ``net`` as WebNN builder calls; returns the output MLOperand."""
    import webnn_core as webnn

    values = {net.input_name: builder.input(
        net.input_name, webnn.MLOperandDescriptor("float32", list(net.input_shape)))}
    for layer in net.layers:
        args = [values[name] for name in layer.inputs]
        values[layer.name] = _WEBNN_EMITTERS[layer.op](builder, layer, args, net.weights)
    return values[net.output_name]


def _webnn_conv(b: Any, layer: Layer, args: list, weights: dict[str, np.ndarray]) -> Any:
    a = layer.attrs
    return b.conv2d(args[0], b.constant(weights[f"{layer.name}.weight"]),
                    padding=[a["pad"]] * 4, strides=[a["stride"]] * 2,
                    bias=b.constant(weights[f"{layer.name}.bias"]))


def _webnn_maxpool(b: Any, layer: Layer, args: list, weights: dict[str, np.ndarray]) -> Any:
    a = layer.attrs
    return b.max_pool2d(args[0], window_dimensions=[a["kernel"]] * 2,
                        strides=[a["stride"]] * 2, padding=[a["pad"]] * 4)


def _webnn_flatten(b: Any, layer: Layer, args: list, weights: dict[str, np.ndarray]) -> Any:
    shape = args[0].shape
    return b.reshape(args[0], [shape[0], int(np.prod(shape[1:]))])


def _webnn_gemm(b: Any, layer: Layer, args: list, weights: dict[str, np.ndarray]) -> Any:
    return b.gemm(args[0], b.constant(weights[f"{layer.name}.weight"]),
                  c=b.constant(weights[f"{layer.name}.bias"]), b_transpose=True)


_WEBNN_EMITTERS: dict[str, Callable[[Any, Layer, list, dict[str, np.ndarray]], Any]] = {
    "conv": _webnn_conv,
    "relu": lambda b, layer, args, w: b.relu(args[0]),
    "maxpool": _webnn_maxpool,
    "add": lambda b, layer, args, w: b.add(args[0], args[1]),
    # average_pool2d's window defaults to the whole spatial extent: a global average pool.
    "global_avgpool": lambda b, layer, args, w: b.average_pool2d(args[0]),
    "flatten": _webnn_flatten,
    "gemm": _webnn_gemm,
}


# -- emission 2: ONNX ----------------------------------------------------------------------

ONNX_OPSET = 13


def to_onnx(net: Network) -> Any:
    """Emit ``net`` as an ``onnx.ModelProto`` (opset 13) with the weights as initializers."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = []
    used: list[str] = []
    for layer in net.layers:
        a = layer.attrs
        inputs = list(layer.inputs)
        kwargs: dict[str, Any] = {}
        if layer.op in ("conv", "gemm"):
            inputs += [f"{layer.name}.weight", f"{layer.name}.bias"]
            used += inputs[-2:]
        if layer.op == "conv":
            kwargs = {"kernel_shape": [a["kernel"]] * 2, "strides": [a["stride"]] * 2,
                      "pads": [a["pad"]] * 4}
        elif layer.op == "maxpool":
            kwargs = {"kernel_shape": [a["kernel"]] * 2, "strides": [a["stride"]] * 2,
                      "pads": [a["pad"]] * 4}
        elif layer.op == "flatten":
            kwargs = {"axis": 1}
        elif layer.op == "gemm":
            kwargs = {"transB": 1}
        nodes.append(helper.make_node(_ONNX_OPS[layer.op], inputs, [layer.name],
                                      name=layer.name, **kwargs))
    graph = helper.make_graph(
        nodes, net.name,
        [helper.make_tensor_value_info(net.input_name, TensorProto.FLOAT, list(net.input_shape))],
        [helper.make_tensor_value_info(net.output_name, TensorProto.FLOAT,
                                       list(net.output_shape))],
        initializer=[numpy_helper.from_array(net.weights[name], name) for name in used])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
                              producer_name="webnn_core.benchmarks")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


_ONNX_OPS = {"conv": "Conv", "relu": "Relu", "maxpool": "MaxPool", "add": "Add",
             "global_avgpool": "GlobalAveragePool", "flatten": "Flatten", "gemm": "Gemm"}
