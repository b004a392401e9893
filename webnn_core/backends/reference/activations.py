"""Reference kernels: activations (webnn-spec §api-mlgraphbuilder-relu-method ...
§api-mlgraphbuilder-softmax-method).

Floating-point kernels evaluate the spec's formula in float64 on the (float32 or widened
float16) input and the option values already cast to the input's data type by the
builder; the driver then rounds once to the output data type, which gives the correctly
rounded result WPT's ULP tolerances are measured against. Integer kernels (relu, clamp,
prelu) compute in the input's data type, wrapping on overflow like the spec's emulation
with ``mul``.

NaN (the spec's ``max``/``min`` have no NaN rule; the rule is the README's "NaN and special
values" section, which the OpenVINO backend implements too): relu, clamp and hard_sigmoid
take IEEE 754 maxNum/minNum (``np.fmax``/``np.fmin``: a NaN operand gives the other), as
OpenVINO's fused Relu/Clamp do: relu(NaN) = 0, clamp(NaN) = minValue (-inf when only
maxValue is given; without bounds clamp is the identity), hard_sigmoid(NaN) = 0. softmax
reads NaN as +inf and evaluates the formula with the maximum then +inf and ``exp`` of the
resulting ``inf - inf`` taken as +inf: a row holding NaN or +inf is NaN at those elements
and 0 elsewhere, as OpenVINO's SoftMax computes (all NaN, the formula's IEEE evaluation,
would cost OpenVINO a reduction). Every other NaN propagates (elu, gelu, max, min, the
reductions). prelu and leaky_relu are the piecewise
``x if not x < 0 else slope * x``: the spec's ``max(0, x) + slope * min(0, x)`` for every
finite slope, without its ``inf * 0`` NaN for an infinite input or slope.
"""

from __future__ import annotations

import math

import numpy as np

from ...graph import Node
from ._registry import registry

_erfc = np.frompyfunc(math.erfc, 1, 1)


def _f64(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float64)


def _is_float(x: np.ndarray) -> bool:
    return x.dtype.kind == "f"


@registry.register("relu")
def relu(node: Node, x: np.ndarray) -> np.ndarray:
    """§relu: ``max(0, x)``, NaN -> 0 (maxNum)."""
    return np.fmax(x, x.dtype.type(0))


@registry.register("sigmoid")
def sigmoid(node: Node, x: np.ndarray) -> np.ndarray:
    """§sigmoid: ``1 / (exp(-x) + 1)``."""
    return 1.0 / (np.exp(-_f64(x)) + 1.0)


@registry.register("tanh")
def tanh(node: Node, x: np.ndarray) -> np.ndarray:
    """§tanh."""
    return np.tanh(_f64(x))


@registry.register("elu")
def elu(node: Node, x: np.ndarray) -> np.ndarray:
    """§elu: ``max(0, x) + alpha * (exp(min(0, x)) - 1)``."""
    v = _f64(x)
    return np.maximum(v, 0.0) + node.attrs["alpha"] * np.expm1(np.minimum(v, 0.0))


@registry.register("gelu")
def gelu(node: Node, x: np.ndarray) -> np.ndarray:
    """§gelu: ``0.5 * x * (1 + erf(x / sqrt(2)))``, as ``0.5 * x * erfc(-x / sqrt(2))``
    (the same value; ``1 + erf`` cancels to 0 in float64 below x = -8)."""
    v = _f64(x)
    erfc = np.asarray(_erfc(-v / math.sqrt(2.0)), dtype=np.float64).reshape(v.shape)
    return 0.5 * v * erfc


@registry.register("softplus")
def softplus(node: Node, x: np.ndarray) -> np.ndarray:
    """§softplus: ``ln(1 + exp(x))`` (evaluated without overflow)."""
    return np.logaddexp(0.0, _f64(x))


@registry.register("softsign")
def softsign(node: Node, x: np.ndarray) -> np.ndarray:
    """§softsign: ``x / (1 + |x|)``."""
    v = _f64(x)
    return v / (1.0 + np.abs(v))


@registry.register("hard_sigmoid")
def hard_sigmoid(node: Node, x: np.ndarray) -> np.ndarray:
    """§hardSigmoid: ``max(min(alpha * x + beta, 1), 0)``, NaN -> 0 (maxNum)."""
    v = node.attrs["alpha"] * _f64(x) + node.attrs["beta"]
    return np.fmax(np.minimum(v, 1.0), 0.0)


@registry.register("hard_swish")
def hard_swish(node: Node, x: np.ndarray) -> np.ndarray:
    """§hardSwish: ``x * max(0, min(6, x + 3)) / 6``."""
    v = _f64(x)
    return v * np.maximum(0.0, np.minimum(6.0, v + 3.0)) / 6.0


@registry.register("leaky_relu")
def leaky_relu(node: Node, x: np.ndarray) -> np.ndarray:
    """§leakyRelu: ``max(0, x) + alpha * min(0, x)``, piecewise (see the module doc)."""
    v = _f64(x)
    return np.where(v < 0, node.attrs["alpha"] * v, v)


@registry.register("linear")
def linear(node: Node, x: np.ndarray) -> np.ndarray:
    """§linear: ``alpha * x + beta``."""
    return node.attrs["alpha"] * _f64(x) + node.attrs["beta"]


@registry.register("prelu")
def prelu(node: Node, x: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """§prelu: ``max(0, x) + slope * min(0, x)``, bidirectionally broadcast; piecewise
    (see the module doc)."""
    if _is_float(x):
        x, slope = _f64(x), _f64(slope)
    x, slope = np.broadcast_arrays(x, slope)
    return np.where(x < 0, slope * x, x)


@registry.register("clamp")
def clamp(node: Node, x: np.ndarray) -> np.ndarray:
    """§clamp: ``min(max(x, minValue), maxValue)``; the bounds are already cast to the
    input's data type (±inf or the type's extremes meaning "no bound"). maxNum/minNum:
    NaN -> minValue (-inf without a lower bound); without bounds the identity."""
    lo = np.array(node.attrs["min_value"], dtype=x.dtype)
    hi = np.array(node.attrs["max_value"], dtype=x.dtype)
    if _is_float(x):
        if lo == -np.inf and hi == np.inf:
            return x.copy()
        return np.fmin(np.fmax(x, lo), hi)
    return np.minimum(np.maximum(x, lo), hi)


@registry.register("softmax")
def softmax(node: Node, x: np.ndarray) -> np.ndarray:
    """§softmax: ``exp(x - max) / sum(exp(x - max))`` along ``axis``; NaN as in the
    module doc (NaN read as +inf, a NaN ``x - max`` exponentiated to +inf)."""
    axis = node.attrs["axis"]
    v = np.where(np.isnan(x), np.inf, _f64(x))
    d = v - np.max(v, axis=axis, keepdims=True)
    e = np.where(np.isnan(d), np.inf, np.exp(d))
    return e / np.sum(e, axis=axis, keepdims=True)
