"""ONNX activation ops: the element-wise activations, Clip, and the softmax family.

Most map one to one onto a WebNN activation; the others are small exact decompositions
(Selu, Celu, Gelu "tanh", Mish, Swish, ThresholdedRelu, Shrink, LogSoftmax, Hardmax). Softmax,
LogSoftmax and Hardmax before opset 13 "coerce the input to 2-D" at ``axis`` and work on
the flattened inner dimensions; that is emitted with reshapes around the 2-D op.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

import webnn_core as webnn

from ..translator import NodeView, translator

Outputs = list["webnn.MLOperand | None"]

_FLOAT_TYPES = ("float32", "float16")


def _scalar(n: NodeView, value: float, like: webnn.MLOperand) -> webnn.MLOperand:
    """A rank-0 constant of ``like``'s data type."""
    return n.constant(value, like.data_type)


# -- direct mappings ---------------------------------------------------------------------
_DIRECT = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softplus": "softplus",
           "Softsign": "softsign", "HardSwish": "hard_swish"}


@translator(*_DIRECT)
def direct(n: NodeView) -> Outputs:
    """Relu-1/6/13/14 (14 adds int8/16/32/64), Sigmoid-1/6/13, Tanh-1/6/13,
    Softplus-1/22, Softsign-1/22, HardSwish-14 (``x * max(0, min(1, x/6 + 1/2))``, which is
    WebNN's ``x * max(0, min(6, x + 3)) / 6``). Older versions differ only in the removed
    ``consumed_inputs`` attribute and the type lists."""
    return [getattr(n.b, _DIRECT[n.node.op_type])(n.input(0))]


@translator("LeakyRelu")
def leaky_relu(n: NodeView) -> Outputs:
    """LeakyRelu-1/6/16: ``x if x >= 0 else alpha * x`` (alpha default 0.01)."""
    return [n.b.leaky_relu(n.input(0), alpha=n.attr("alpha", 0.01))]


@translator("Elu")
def elu(n: NodeView) -> Outputs:
    """Elu-1/6/22: ``x if x > 0 else alpha * (exp(x) - 1)`` (alpha default 1)."""
    return [n.b.elu(n.input(0), alpha=n.attr("alpha", 1.0))]


@translator("HardSigmoid")
def hard_sigmoid(n: NodeView) -> Outputs:
    """HardSigmoid-1/6/22: ``max(0, min(1, alpha * x + beta))`` (0.2, 0.5)."""
    return [n.b.hard_sigmoid(n.input(0), alpha=n.attr("alpha", 0.2), beta=n.attr("beta", 0.5))]


@translator("PRelu", since=7)
def prelu(n: NodeView) -> Outputs:
    """PRelu-7/9/16: ``x if x >= 0 else slope * x`` with ``slope`` unidirectionally
    broadcast to ``x`` (16 adds integer types). WebNN broadcasts bidirectionally, which
    agrees whenever the result keeps ``x``'s shape; anything else is not a valid ONNX PRelu
    and is refused. PRelu-1/6 (channel-wise slope, ``consumed_inputs``) is not
    supported."""
    x, slope = n.input(0), n.input(1)
    try:
        shape = np.broadcast_shapes(x.shape, slope.shape)
    except ValueError:
        shape = None
    if shape != tuple(x.shape):
        raise n.unsupported(f"slope shape {list(slope.shape)} does not broadcast "
                            f"unidirectionally to input shape {list(x.shape)}", "shape")
    return [n.b.prelu(x, slope)]


# -- decompositions ----------------------------------------------------------------------
@translator("Selu")
def selu(n: NodeView) -> Outputs:
    """Selu-1/6/22: ``gamma * (x if x > 0 else alpha * (exp(x) - 1))``, i.e.
    ``gamma * elu(x, alpha)``."""
    x = n.input(0)
    alpha = n.attr("alpha", 1.67326319217681884765625)
    gamma = n.attr("gamma", 1.05070102214813232421875)
    return [n.b.mul(n.b.elu(x, alpha=alpha), _scalar(n, gamma, x))]


@translator("Celu")
def celu(n: NodeView) -> Outputs:
    """Celu-12: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``, which is
    ``alpha * elu(x / alpha, 1)`` for alpha > 0 (default 1). A non-positive alpha is
    refused (alpha = 0 divides by zero; alpha < 0 breaks the elu identity)."""
    x = n.input(0)
    alpha = float(n.attr("alpha", 1.0))
    if not alpha > 0:
        raise n.unsupported(f"alpha={alpha} (only alpha > 0 is supported)")
    if alpha == 1.0:
        return [n.b.elu(x)]
    scaled = n.b.elu(n.b.div(x, _scalar(n, alpha, x)))
    return [n.b.mul(scaled, _scalar(n, alpha, x))]


@translator("Gelu", since=20)
def gelu(n: NodeView) -> Outputs:
    """Gelu-20: ``approximate="none"`` is WebNN gelu (``0.5 x (1 + erf(x / sqrt 2))``);
    ``"tanh"`` is decomposed as ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""
    x = n.input(0)
    approximate = n.attr("approximate", "none")
    if approximate == "none":
        return [n.b.gelu(x)]
    if approximate != "tanh":
        raise n.unsupported(f"approximate={approximate!r}")
    b = n.b
    cube = b.mul(b.mul(x, x), x)
    inner = b.mul(b.add(x, b.mul(cube, _scalar(n, 0.044715, x))),
                  _scalar(n, math.sqrt(2.0 / math.pi), x))
    one_plus = b.add(b.tanh(inner), _scalar(n, 1.0, x))
    return [b.mul(b.mul(x, _scalar(n, 0.5, x)), one_plus)]


@translator("Mish", since=18)
def mish(n: NodeView) -> Outputs:
    """Mish-18/22: ``x * tanh(softplus(x))``."""
    x = n.input(0)
    return [n.b.mul(x, n.b.tanh(n.b.softplus(x)))]


# -- Swish ----------------------------------------------------------------------------
@translator("Swish", since=24)
def swish(n: NodeView) -> list:
    """ONNX Swish (24): ``x * sigmoid(alpha * x)`` (alpha default 1)."""
    x = n.input(0)
    alpha = float(n.attr("alpha", 1.0))
    scaled = x if alpha == 1.0 else n.b.mul(x, n.constant(alpha, x.data_type))
    return [n.b.mul(x, n.b.sigmoid(scaled))]


@translator("ThresholdedRelu", since=10)
def thresholded_relu(n: NodeView) -> Outputs:
    """ThresholdedRelu-10/22: ``x if x > alpha else 0`` (alpha default 1)."""
    x = n.input(0)
    alpha = n.attr("alpha", 1.0)
    above = n.b.greater(x, _scalar(n, alpha, x))
    return [n.b.where(above, x, _scalar(n, 0.0, x))]


@translator("Shrink", since=9)
def shrink(n: NodeView) -> Outputs:
    """Shrink-9: ``x + bias if x < -lambd; x - bias if x > lambd; else 0`` (bias 0,
    lambd 0.5, both float attributes).

    For non-float32 inputs ONNX Runtime compares and computes in float32 and converts the
    result back (C++ ``T(x + bias)``: rounding for float16, truncation toward zero for
    integers); the translation does the same through WebNN casts, which convert
    float -> integer by truncation.
    """
    x = n.input(0)
    dtype = x.data_type
    bias = float(n.attr("bias", 0.0))
    lambd = float(n.attr("lambd", 0.5))
    b = n.b
    xf = x if dtype == "float32" else b.cast(x, "float32")
    zero = n.constant(0.0, "float32")
    low = b.where(b.lesser(xf, n.constant(-lambd, "float32")),
                  b.add(xf, n.constant(bias, "float32")), zero)
    y = b.where(b.greater(xf, n.constant(lambd, "float32")),
                b.sub(xf, n.constant(bias, "float32")), low)
    return [y if dtype == "float32" else b.cast(y, dtype)]


# -- Clip --------------------------------------------------------------------------------
def _bound(n: NodeView, value: object, dtype: str) -> float | int:
    """A Clip bound as a Python number of the input's kind."""
    array = np.asarray(value)
    if array.size != 1:
        raise n.unsupported(f"min/max must be a scalar, got shape {list(array.shape)}", "shape")
    scalar = array.reshape(()).item()
    return float(scalar) if dtype in _FLOAT_TYPES else int(scalar)


@translator("Clip")
def clip(n: NodeView) -> Outputs:
    """Clip-1/6: ``min``/``max`` attributes (absent: no bound); Clip-11/12/13: optional
    scalar ``min``/``max`` inputs (12 adds integer types).

    Constant bounds become WebNN clamp. When min > max ONNX sets every element to max,
    which ``min(max(x, lo), hi)`` gives (WebNN clamp rejects min > max). Bounds computed
    at run time use the same max/min pair, as long as they are scalars (they broadcast
    without changing the shape)."""
    x = n.input(0)
    dtype = x.data_type
    if n.version < 11:
        lo_attr, hi_attr = n.attr("min"), n.attr("max")
        lo = None if lo_attr is None else _bound(n, lo_attr, dtype)
        hi = None if hi_attr is None else _bound(n, hi_attr, dtype)
        return [_clamp(n, x, lo, hi)]
    constant = all(not n.has_input(i) or n.const(i) is not None for i in (1, 2))
    if constant:
        lo = _bound(n, n.const(1), dtype) if n.has_input(1) else None
        hi = _bound(n, n.const(2), dtype) if n.has_input(2) else None
        return [_clamp(n, x, lo, hi)]
    y = x
    for i, method in ((1, n.b.max), (2, n.b.min)):
        if n.has_input(i):
            bound = n.input(i)
            if math.prod(bound.shape) != 1 or bound.rank > x.rank:
                raise n.unsupported(f"input {i} must be a scalar, got shape "
                                    f"{list(bound.shape)}", "shape")
            y = method(y, bound)
    return [y if y is not x else n.b.identity(x)]


def _clamp(n: NodeView, x: webnn.MLOperand, lo: float | int | None,
           hi: float | int | None) -> webnn.MLOperand:
    if lo is not None and hi is not None and lo > hi:
        return n.b.min(n.b.max(x, n.constant(lo, x.data_type)), n.constant(hi, x.data_type))
    return n.b.clamp(x, min_value=lo, max_value=hi)


# -- softmax family ----------------------------------------------------------------------
def _normalized_axis(n: NodeView, rank: int, default: int) -> int:
    axis = int(n.attr("axis", default))
    if rank == 0 or not -rank <= axis < rank:
        raise n.unsupported(f"axis {axis} is out of range for rank {rank}")
    return axis + rank if axis < 0 else axis


def _along_axis(n: NodeView,
                fn: Callable[[webnn.MLOperand, int], webnn.MLOperand]) -> Outputs:
    """Apply ``fn(x, axis)`` with the ONNX axis semantics of the node's version.

    Opset >= 13: ``axis`` (default -1) is the one axis. Opset < 13: ``axis`` (default 1)
    splits the shape into ``[prod(d[:axis]), prod(d[axis:])]``; ``fn`` runs on that 2-D
    view along axis 1 and the result is reshaped back.
    """
    x = n.input(0)
    shape = list(x.shape)
    if n.version >= 13:
        return [fn(x, _normalized_axis(n, len(shape), -1))]
    axis = _normalized_axis(n, len(shape), 1)
    if axis == len(shape) - 1:  # the 2-D view's axis 1 is this axis
        return [fn(x, axis)]
    flat = [math.prod(shape[:axis]), math.prod(shape[axis:])]
    return [n.b.reshape(fn(n.b.reshape(x, flat), 1), shape)]


@translator("Softmax")
def softmax(n: NodeView) -> Outputs:
    """Softmax-1/11/13: 1 and 11 coerce to 2-D at ``axis`` (default 1; 11 allows negative
    axes); 13 normalizes along ``axis`` (default -1)."""
    return _along_axis(n, lambda x, axis: n.b.softmax(x, axis))


@translator("LogSoftmax")
def log_softmax(n: NodeView) -> Outputs:
    """LogSoftmax-1/11/13 (axis rules as Softmax), decomposed stably as
    ``(x - max) - log(sum(exp(x - max)))`` along the axis."""
    b = n.b

    def emit(x: webnn.MLOperand, axis: int) -> webnn.MLOperand:
        shifted = b.sub(x, b.reduce_max(x, axes=[axis], keep_dimensions=True))
        total = b.reduce_sum(b.exp(shifted), axes=[axis], keep_dimensions=True)
        return b.sub(shifted, b.log(total))

    return _along_axis(n, emit)


@translator("Hardmax")
def hardmax(n: NodeView) -> Outputs:
    """Hardmax-1/11/13 (axis rules as Softmax): 1 at the first maximum along the axis,
    0 elsewhere. Decomposed as ``equal(argMax(x, axis), iota) -> cast``: WebNN argMax
    returns the first index on ties, as Hardmax requires."""
    b = n.b

    def emit(x: webnn.MLOperand, axis: int) -> webnn.MLOperand:
        size = x.shape[axis]
        index_type = "int32" if size <= np.iinfo(np.int32).max else "int64"
        index = b.arg_max(x, axis, keep_dimensions=True, output_data_type=index_type)
        iota_shape = [1] * x.rank
        iota_shape[axis] = size
        iota = n.constant(np.arange(size).reshape(iota_shape), index_type)
        return b.cast(b.equal(index, iota), x.data_type)

    return _along_axis(n, emit)
