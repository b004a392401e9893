"""Builder methods of the activation family: relu, sigmoid, tanh, elu, gelu, softplus,
softsign, hard_sigmoid, hard_swish, leaky_relu, prelu, linear, clamp, softmax.

Each method follows the steps of its spec section (webnn-spec §api-mlgraphbuilder-<op>);
options that the spec *casts* to the input's data type (alpha, beta, minValue, maxValue)
are cast here (spec §algorithms-casting), so the backends receive them exactly
representable in the input's data type:

- float options become Python floats holding a float32 / float16 value;
- clamp bounds of an integer input become Python ints within the data type's range.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..graph import MLOperand
from ..types import MLOperandDescriptor, cast_number, to_float, to_uint
from ._checks import broadcast_shapes, check_tensor_limits, fail


def _number(op: str, value: object, what: str) -> float | int:
    """An MLNumber (``bigint or unrestricted double``): a Python int or float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise fail(op, f"{what} must be a number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)


def _double(op: str, value: object, what: str) -> float:
    """A WebIDL ``double`` option (finite)."""
    return to_float(value, f"{op}: {what}")


class ActivationOps:
    """Mixin of MLGraphBuilder: the activation operators."""

    def _activation(self, op: str, input: MLOperand, label: str,
                    attrs: dict[str, object] | None = None) -> MLOperand:
        """Emit an element-wise activation whose output copies ``input``'s descriptor.

        Data type and rank checks against the spec's table (and the backend's support
        limits) happen in ``_emit``."""
        out = MLOperandDescriptor(input.data_type, input.shape)
        return self._emit(op, [input], dict(attrs or {}), [out], label,
                          limits={"input": input, "output": out})[0]

    def _checked_input(self, op: str, input: object) -> MLOperand:
        """The spec's first steps: can build, and "validating operand" on ``input``."""
        self._check_can_build(op)
        return self._operand(op, input, "input")

    def _float_options(self, op: str, input: MLOperand, **options: object) -> dict[str, float]:
        """Cast each ``double`` option to the input's data type, after the spec's step
        that checks the input's data type against the op's allowed data types."""
        check_tensor_limits(op, {"input": input})
        return {name: float(cast_number(_double(op, value, name), input.data_type))
                for name, value in options.items()}

    # -- options-free activations ---------------------------------------------------
    def relu(self, input: MLOperand, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-relu-method: ``max(0, x)``."""
        return self._activation("relu", self._checked_input("relu", input), label)

    def sigmoid(self, input: MLOperand, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-sigmoid-method: ``1 / (exp(-x) + 1)``."""
        return self._activation("sigmoid", self._checked_input("sigmoid", input), label)

    def tanh(self, input: MLOperand, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-tanh-method."""
        return self._activation("tanh", self._checked_input("tanh", input), label)

    def gelu(self, input: MLOperand, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-gelu-method: ``0.5 x (1 + erf(x / sqrt(2)))``."""
        return self._activation("gelu", self._checked_input("gelu", input), label)

    def softplus(self, input: MLOperand, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-softplus-method: ``ln(1 + exp(x))``."""
        return self._activation("softplus", self._checked_input("softplus", input), label)

    def softsign(self, input: MLOperand, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-softsign-method: ``x / (1 + |x|)``."""
        return self._activation("softsign", self._checked_input("softsign", input), label)

    def hard_swish(self, input: MLOperand, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-hard-swish: ``x * max(0, min(6, x + 3)) / 6``."""
        return self._activation("hard_swish", self._checked_input("hard_swish", input), label)

    # -- activations with scalar options ----------------------------------------------
    def elu(self, input: MLOperand, *, alpha: float = 1.0, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-elu: ``max(0, x) + alpha * (exp(min(0, x)) - 1)``."""
        input = self._checked_input("elu", input)
        attrs = self._float_options("elu", input, alpha=alpha)
        return self._activation("elu", input, label, attrs)

    def hard_sigmoid(self, input: MLOperand, *, alpha: float = 0.2, beta: float = 0.5,
                     label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-hard-sigmoid:
        ``max(0, min(1, alpha * x + beta))``."""
        input = self._checked_input("hard_sigmoid", input)
        attrs = self._float_options("hard_sigmoid", input, alpha=alpha, beta=beta)
        return self._activation("hard_sigmoid", input, label, attrs)

    def leaky_relu(self, input: MLOperand, *, alpha: float = 0.01,
                   label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-leakyrelu: ``max(0, x) + alpha * min(0, x)``."""
        input = self._checked_input("leaky_relu", input)
        attrs = self._float_options("leaky_relu", input, alpha=alpha)
        return self._activation("leaky_relu", input, label, attrs)

    def linear(self, input: MLOperand, *, alpha: float = 1.0, beta: float = 0.0,
               label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-linear: ``alpha * x + beta``."""
        input = self._checked_input("linear", input)
        attrs = self._float_options("linear", input, alpha=alpha, beta=beta)
        return self._activation("linear", input, label, attrs)

    def clamp(self, input: MLOperand, *, min_value: float | int | None = None,
              max_value: float | int | None = None, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-clamp.

        ``min_value``/``max_value`` are MLNumbers cast to the input's data type; an absent
        bound does not clamp (the spec's step text says an absent minValue defaults to
        +Infinity and maxValue to -Infinity, which is swapped: it would make every call
        without options fail the min <= max step). After the cast, min > max is a
        TypeError; NaN compares false so it passes, and a NaN bound of a float input does
        not clamp (as WPT's "minValue as NaN" / "maxValue as NaN" expect). For integer
        inputs the cast turns NaN into 0. ``attrs`` always carry both bounds: ±inf for
        "no clamp" on floats, the type's extremes on integers.
        """
        op = "clamp"
        input = self._checked_input(op, input)
        dtype = input.data_type
        lo = -math.inf if min_value is None else _number(op, min_value, "min_value")
        hi = math.inf if max_value is None else _number(op, max_value, "max_value")
        lo = cast_number(lo, dtype)
        hi = cast_number(hi, dtype)
        if lo > hi:
            raise fail(op, f"min_value ({lo}) must be less than or equal to max_value ({hi}) "
                           f"after casting to {dtype}")
        if isinstance(lo, float) and math.isnan(lo):
            lo = -math.inf
        if isinstance(hi, float) and math.isnan(hi):
            hi = math.inf
        return self._activation(op, input, label, {"min_value": lo, "max_value": hi})

    # -- operators with more than one argument ----------------------------------------
    def prelu(self, input: MLOperand, slope: MLOperand, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-prelu: ``max(0, x) + slope * min(0, x)``;
        input and slope are bidirectionally broadcast."""
        op = "prelu"
        self._check_can_build(op)
        self._operand(op, input, "input")
        self._operand(op, slope, "slope")
        check_tensor_limits(op, {"input": input})
        if slope.data_type != input.data_type:
            raise fail(op, f"slope data type {slope.data_type} must match input data type "
                           f"{input.data_type}")
        shape = broadcast_shapes(op, slope.shape, input.shape)
        out = MLOperandDescriptor(input.data_type, shape)
        return self._emit(op, [input, slope], {}, [out], label,
                          limits={"input": input, "slope": slope, "output": out})[0]

    def softmax(self, input: MLOperand, axis: int, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-softmax-method: softmax along ``axis``
        (required; an [EnforceRange] unsigned long less than the input's rank)."""
        op = "softmax"
        input = self._checked_input(op, input)
        axis = to_uint(axis, f"{op}: axis")
        out = MLOperandDescriptor(input.data_type, input.shape)
        limits = {"input": input, "output": out}
        if axis >= input.rank:
            check_tensor_limits(op, limits)  # the spec checks the data type first
            raise fail(op, f"axis {axis} must be less than the input rank {input.rank}")
        return self._emit(op, [input], {"axis": axis}, [out], label, limits=limits)[0]
