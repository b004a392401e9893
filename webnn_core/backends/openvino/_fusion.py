"""Subgraphs of WebNN operators that OpenVINO runs as one operator or on its integer kernels.

- Local response normalization. WebNN has none; translators (ONNX ``LRN``, TFLite
  ``LOCAL_RESPONSE_NORMALIZATION``) decompose it into a channel-window average of squares
  and a power. OpenVINO's CPU plugin runs that chain as ~10 layers (padding, a pooling
  between transposes, element-wise subgraphs); its own ``LRN`` is one kernel.
  :func:`_match_lrn` recognises the exact decomposition and :class:`LRNFusion` emits ``LRN``.
  The match is strict: every operator, attribute, constant and shape of the chain is
  checked, and every intermediate value must feed only the next operator of the chain (and
  be no graph output), so nothing else can observe that the chain was replaced. Only
  float32, odd window sizes (a window centred on the channel, as OpenVINO's LRN sums it)
  and integral biases are fused: OpenVINO 2026.4's CPU LRN truncates its ``bias`` to an
  integer (measured: bias 1.5 computes as 1, 0.5 as 0; alpha and beta are exact), so any
  other bias keeps the decomposition.
- A dequantization read only by quantized operators (a convolution, matmul, addition,
  pooling, requantization ... of a quantized model). OpenVINO's low-precision
  transformations run such an operator on integers when its inputs come in OpenVINO's
  dequantization pattern, so :class:`LowPrecisionDequantize` emits that pattern there
  (``quantization.dequantize_low_precision``); everywhere else ``dequantize_linear``'s
  exact emission stands (the pattern alone is folded into a fused multiply-add).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import openvino as ov
import openvino.opset16 as ops

from ...graph import MLGraph, MLOperand, Node

#: largest bias OpenVINO's LRN is fused for (integral values only, see the module doc)
_MAX_EXACT_BIAS = float(2**24)


@dataclass(frozen=True)
class LRNFusion:
    """``y = x / (bias + alpha / size * sum of squares over the channel window) ** beta``
    (axis 1, window ``[c - size // 2, c + size // 2]`` clipped to the channels)."""

    x: MLOperand
    size: int
    alpha: float
    beta: float
    bias: float

    def emit(self, values: dict[int, ov.Output]) -> ov.Output:
        axes = ops.constant(np.array([1], dtype=np.int64))
        return ops.lrn(values[self.x.id], axes, self.alpha, self.beta, self.bias,
                       self.size).output(0)


@dataclass(frozen=True)
class LowPrecisionDequantize:
    """A ``dequantize_linear`` node emitted in OpenVINO's dequantization pattern."""

    node: Node

    def emit(self, values: dict[int, ov.Output]) -> ov.Output:
        from .quantization import dequantize_low_precision

        x, scale, zero_point = (values[o.id] for o in self.node.inputs)
        return dequantize_low_precision(self.node, x, scale, zero_point)


#: WebNN operators OpenVINO's low-precision transformations carry quantized inputs through
#: (or run on integers): a dequantization read only by these keeps the pattern they match
QUANTIZED_READERS = frozenset({
    "conv2d", "conv_transpose2d", "matmul", "gemm", "add", "mul", "concat", "max_pool2d",
    "average_pool2d", "reshape", "transpose", "clamp", "relu", "pad", "resample2d",
    "reduce_mean", "reduce_max", "reduce_min", "reduce_sum", "slice", "split", "gather",
    "prelu", "expand", "quantize_linear"})

Fusion = LRNFusion | LowPrecisionDequantize


class _Chain:
    """Walks a chain of single-use operators in a graph."""

    def __init__(self, graph: MLGraph) -> None:
        self.graph = graph
        self.uses: dict[int, int] = {}
        for node in graph.nodes:
            for operand in node.inputs:
                if operand is not None:
                    self.uses[operand.id] = self.uses.get(operand.id, 0) + 1
        for operand in graph.outputs.values():
            self.uses[operand.id] = self.uses.get(operand.id, 0) + 2  # never internal
        self.outputs = {operand.id for operand in graph.outputs.values()}
        #: operand id -> the operators reading it
        self.readers: dict[int, list[str]] = {}
        for node in graph.nodes:
            for operand in node.inputs:
                if operand is not None:
                    self.readers.setdefault(operand.id, []).append(node.op)

    def producer(self, operand: MLOperand | None, op: str) -> Node | None:
        """The ``op`` node producing ``operand`` if ``operand`` is used exactly once."""
        if operand is None or operand.kind != "output" or self.uses.get(operand.id) != 1:
            return None
        node = operand.node
        if node is None or node.op != op or len(node.outputs) != 1:
            return None
        return node

    def scalar(self, operand: MLOperand | None) -> float | None:
        """The value of a rank-0 float32 constant operand."""
        if operand is None or operand.kind != "constant" or operand.shape != ():
            return None
        array = self.graph.constants.get(operand.id)
        if array is None or array.dtype != np.float32:
            return None
        return float(array)

    def binary(self, node: Node) -> tuple[float, MLOperand] | None:
        """(constant, other operand) of a binary node with one scalar constant input."""
        a, b = node.inputs
        if self.scalar(a) is not None and self.scalar(b) is None:
            return self.scalar(a), b
        if self.scalar(b) is not None and self.scalar(a) is None:
            return self.scalar(b), a
        return None


def _match_lrn(chain: _Chain, node: Node) -> tuple[LRNFusion, list[Node]] | None:
    """The LRN that ``node`` (the final ``mul``) completes, as the ONNX translator emits it:
    ``x * pow(bias + alpha * reshape(average_pool2d(pad(reshape(x * x)))), -beta)``."""
    if node.op != "mul" or node.output.data_type != "float32":
        return None
    a, b = node.inputs
    for x, rest in ((a, b), (b, a)):
        pw = chain.producer(rest, "pow")
        if pw is None or x is None or x.rank < 2 or pw.inputs[0] is None:
            continue
        beta = chain.scalar(pw.inputs[1])
        add = chain.producer(pw.inputs[0], "add")
        if beta is None or add is None:
            continue
        bias_term = chain.binary(add)
        if bias_term is None:
            continue
        bias, scaled = bias_term
        if not (bias.is_integer() and 0.0 <= bias <= _MAX_EXACT_BIAS):
            continue
        mul_alpha = chain.producer(scaled, "mul")
        alpha_term = None if mul_alpha is None else chain.binary(mul_alpha)
        if alpha_term is None:
            continue
        alpha, mean = alpha_term
        found = _match_window(chain, x, mean)
        if found is None:
            continue
        size, window_nodes = found
        fusion = LRNFusion(x=x, size=size, alpha=alpha, beta=-beta, bias=bias)
        return fusion, [*window_nodes, mul_alpha, add, pw]
    return None


def _match_window(chain: _Chain, x: MLOperand, mean: MLOperand
                  ) -> tuple[int, list[Node]] | None:
    """(size, nodes) when ``mean`` is ``reshape(average_pool2d(pad(reshape(x * x))))``, the
    average over a centred window of ``size`` channels of x's squares (zeros outside)."""
    back = chain.producer(mean, "reshape")
    pool = None if back is None else chain.producer(back.inputs[0], "average_pool2d")
    pad = None if pool is None else chain.producer(pool.inputs[0], "pad")
    flat = None if pad is None else chain.producer(pad.inputs[0], "reshape")
    square = None if flat is None else chain.producer(flat.inputs[0], "mul")
    if square is None or square.inputs[0] is not x or square.inputs[1] is not x:
        return None
    batch, channels = x.shape[:2]
    spatial = int(np.prod(x.shape[2:], dtype=np.int64))
    if tuple(back.output.shape) != tuple(x.shape):
        return None
    if tuple(flat.output.shape) != (batch, channels, 1, spatial):
        return None
    begin, end = pad.attrs["beginning_padding"], pad.attrs["ending_padding"]
    if pad.attrs["mode"] != "constant" or float(pad.attrs["value"]) != 0.0:
        return None
    lo, hi = int(begin[1]), int(end[1])
    if tuple(begin) != (0, lo, 0, 0) or tuple(end) != (0, hi, 0, 0):
        return None
    size = lo + hi + 1
    attrs = pool.attrs
    if (lo != hi or tuple(attrs["window_dimensions"]) != (size, 1)
            or tuple(attrs["padding"]) != (0, 0, 0, 0) or tuple(attrs["strides"]) != (1, 1)
            or tuple(attrs["dilations"]) != (1, 1) or attrs["layout"] != "nhwc"
            or tuple(pool.output.shape) != (batch, channels, 1, spatial)):
        return None
    return size, [square, flat, pad, pool, back]


def _match_low_precision_dequantize(chain: _Chain, node: Node
                                    ) -> tuple[LowPrecisionDequantize, list[Node]] | None:
    """A dequantization read only by :data:`QUANTIZED_READERS` (and no graph output)."""
    if node.op != "dequantize_linear" or node.output.id in chain.outputs:
        return None
    readers = chain.readers.get(node.output.id)
    if not readers or not QUANTIZED_READERS.issuperset(readers):
        return None
    return LowPrecisionDequantize(node), []


#: pattern matchers, tried on every node: (chain, node) -> (fusion, nodes it replaces)
_MATCHERS: tuple[Callable[[_Chain, Node], tuple[Fusion, list[Node]] | None], ...] = (
    _match_lrn, _match_low_precision_dequantize)


def find_fusions(graph: MLGraph) -> tuple[dict[int, Fusion], set[int]]:
    """({id of a node whose output a fusion computes: fusion}, {ids of nodes it makes dead})."""
    chain = _Chain(graph)
    fusions: dict[int, Fusion] = {}
    skipped: set[int] = set()
    for node in graph.nodes:
        for matcher in _MATCHERS:
            found = matcher(chain, node)
            if found is not None:
                fusion, replaced = found
                fusions[id(node)] = fusion
                skipped.update(id(n) for n in replaced)
                break
    return fusions, skipped
