"""Element-wise binary, logical and unary operations (webnn-spec §api-mlgraphbuilder-binary,
§api-mlgraphbuilder-logical, §api-mlgraphbuilder-unary)."""

from __future__ import annotations

from ..graph import MLOperand
from ..types import MLOperandDescriptor
from ._checks import broadcast_shapes, fail

BINARY_OPS = ("add", "sub", "mul", "div", "max", "min", "pow")
COMPARISON_OPS = ("equal", "not_equal", "greater", "greater_or_equal", "lesser", "lesser_or_equal")
LOGICAL_BINARY_OPS = ("logical_and", "logical_or", "logical_xor")
LOGICAL_UNARY_OPS = ("logical_not", "is_nan", "is_infinite")
UNARY_OPS = ("abs", "ceil", "cos", "erf", "exp", "floor", "identity", "log", "neg",
             "reciprocal", "round_even", "sin", "sign", "sqrt", "tan")


class ElementwiseOps:
    """Mixin of MLGraphBuilder."""

    def _binary(self, op: str, a: MLOperand, b: MLOperand, label: str,
                output_type: str | None = None) -> MLOperand:
        """Spec "create an element-wise binary operation" / "... logical operation"."""
        self._operand(op, a, "a")
        self._operand(op, b, "b")
        if a.data_type != b.data_type:
            raise fail(op, f"a ({a.data_type}) and b ({b.data_type}) must have the same data type")
        shape = broadcast_shapes(op, a.shape, b.shape)
        out = MLOperandDescriptor(output_type or a.data_type, shape)
        return self._emit(op, [a, b], {}, [out], label, limits={"a": a, "b": b, "output": out})[0]

    def _unary(self, op: str, x: MLOperand, label: str, key: str = "input",
               output_type: str | None = None) -> MLOperand:
        """Spec "create an element-wise unary operation"."""
        self._operand(op, x, key)
        out = MLOperandDescriptor(output_type or x.data_type, x.shape)
        return self._emit(op, [x], {}, [out], label, limits={key: x, "output": out})[0]

    # binary
    def add(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("add", a, b, label)

    def sub(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("sub", a, b, label)

    def mul(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("mul", a, b, label)

    def div(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("div", a, b, label)

    def max(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("max", a, b, label)

    def min(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("min", a, b, label)

    def pow(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("pow", a, b, label)

    # comparisons and logical (output uint8)
    def equal(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("equal", a, b, label, "uint8")

    def not_equal(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("not_equal", a, b, label, "uint8")

    def greater(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("greater", a, b, label, "uint8")

    def greater_or_equal(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("greater_or_equal", a, b, label, "uint8")

    def lesser(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("lesser", a, b, label, "uint8")

    def lesser_or_equal(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("lesser_or_equal", a, b, label, "uint8")

    def logical_and(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("logical_and", a, b, label, "uint8")

    def logical_or(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("logical_or", a, b, label, "uint8")

    def logical_xor(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        return self._binary("logical_xor", a, b, label, "uint8")

    def logical_not(self, a: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("logical_not", a, label, "a", "uint8")

    def is_nan(self, a: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("is_nan", a, label, "a", "uint8")

    def is_infinite(self, a: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("is_infinite", a, label, "a", "uint8")

    # unary
    def abs(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("abs", input, label)

    def ceil(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("ceil", input, label)

    def cos(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("cos", input, label)

    def erf(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("erf", input, label)

    def exp(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("exp", input, label)

    def floor(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("floor", input, label)

    def identity(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("identity", input, label)

    def log(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("log", input, label)

    def neg(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("neg", input, label)

    def reciprocal(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("reciprocal", input, label)

    def round_even(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("round_even", input, label)

    def sin(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("sin", input, label)

    def sign(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("sign", input, label)

    def sqrt(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("sqrt", input, label)

    def tan(self, input: MLOperand, *, label: str = "") -> MLOperand:
        return self._unary("tan", input, label)
