"""Builder methods: matmul, gemm (webnn-spec §api-mlgraphbuilder-matmul,
§api-mlgraphbuilder-gemm)."""

from __future__ import annotations

from ..graph import MLOperand
from ..types import MLOperandDescriptor, cast_number, to_bool, to_float
from ._checks import broadcast_shapes, fail, unidirectional_broadcastable

FLOATS = ("float32", "float16")


def _check_float_pair(op: str, a: MLOperand, b: MLOperand) -> None:
    if a.data_type not in FLOATS:
        raise fail(op, f"a data type {a.data_type} is not allowed (allowed: float32, float16)")
    if b.data_type != a.data_type:
        raise fail(op, f"b data type {b.data_type} must match a data type {a.data_type}")


class MatmulOps:
    """Mixin of MLGraphBuilder: matmul and gemm."""

    def matmul(self, a: MLOperand, b: MLOperand, *, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-matmul: batched matrix product with numpy-style
        broadcasting of the batch dimensions. Inputs: ``[a, b]``; no attrs."""
        op = "matmul"
        self._check_can_build(op)
        self._operand(op, a, "a")
        self._operand(op, b, "b")
        _check_float_pair(op, a, b)
        if a.rank < 2 or b.rank < 2:
            raise fail(op, f"a and b must be at least of rank 2, got ranks {a.rank} and {b.rank}")
        rows_a, cols_a = a.shape[-2:]
        rows_b, cols_b = b.shape[-2:]
        if cols_a != rows_b:
            raise fail(op, f"the columns of a ({cols_a}) must equal the rows of b ({rows_b}) "
                           f"(shapes {list(a.shape)} and {list(b.shape)})")
        try:
            batch = broadcast_shapes(op, a.shape[:-2], b.shape[:-2])
        except TypeError:
            raise fail(op, f"the batch dimensions of a {list(a.shape[:-2])} and b "
                           f"{list(b.shape[:-2])} are not bidirectionally broadcastable"
                       ) from None
        out = MLOperandDescriptor(a.data_type, batch + (rows_a, cols_b))
        return self._emit(op, [a, b], {}, [out], label,
                          limits={"a": a, "b": b, "output": out})[0]

    def gemm(self, a: MLOperand, b: MLOperand, *, c: MLOperand | None = None,
             alpha: float = 1.0, beta: float = 1.0, a_transpose: bool = False,
             b_transpose: bool = False, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-gemm: ``alpha * A' * B' + beta * C``.

        Inputs: ``[a, b, c|None]``; attrs: ``alpha``, ``beta`` (floats cast to a's data
        type), ``a_transpose``, ``b_transpose`` (bools).
        """
        op = "gemm"
        self._check_can_build(op)
        self._operand(op, a, "a")
        self._operand(op, b, "b")
        self._operand(op, c, "c", optional=True)
        a_transpose = to_bool(a_transpose, f"{op}: a_transpose")
        b_transpose = to_bool(b_transpose, f"{op}: b_transpose")
        _check_float_pair(op, a, b)
        if a.rank != 2 or b.rank != 2:
            raise fail(op, f"a and b must be of rank 2, got ranks {a.rank} and {b.rank}")
        alpha = float(cast_number(to_float(alpha, f"{op}: alpha"), a.data_type))
        beta = float(cast_number(to_float(beta, f"{op}: beta"), a.data_type))
        shape_a = a.shape[::-1] if a_transpose else a.shape
        shape_b = b.shape[::-1] if b_transpose else b.shape
        if shape_a[1] != shape_b[0]:
            raise fail(op, f"the columns of a ({shape_a[1]}) must equal the rows of b "
                           f"({shape_b[0]}) after the transpositions")
        out_shape = (shape_a[0], shape_b[1])
        if c is not None:
            if not unidirectional_broadcastable(c.shape, out_shape):
                raise fail(op, f"c shape {list(c.shape)} is not unidirectionally broadcastable "
                               f"to the output shape {list(out_shape)}")
            if c.data_type != a.data_type:
                raise fail(op, f"c data type {c.data_type} must match a data type "
                               f"{a.data_type}")
        out = MLOperandDescriptor(a.data_type, out_shape)
        return self._emit(op, [a, b, c], {"alpha": alpha, "beta": beta,
                                          "a_transpose": a_transpose,
                                          "b_transpose": b_transpose}, [out], label,
                          limits={"a": a, "b": b, "c": c, "output": out})[0]
