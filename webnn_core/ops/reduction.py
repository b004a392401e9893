"""Builder methods: the reductions (webnn-spec §api-mlgraphbuilder-reduce), arg_min/arg_max
(§api-mlgraphbuilder-argminmax) and cumulative_sum (§api-mlgraphbuilder-cumulativesum)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..graph import MLOperand
from ..types import (
    NUMPY_DTYPES,
    MLOperandDescriptor,
    check_data_type,
    to_bool,
    to_uint,
    to_uint_list,
)
from ._checks import fail, reduction_shape

REDUCE_OPS = ("reduce_l1", "reduce_l2", "reduce_log_sum", "reduce_log_sum_exp", "reduce_max",
              "reduce_mean", "reduce_min", "reduce_product", "reduce_sum", "reduce_sum_square")
ARG_OUTPUT_TYPES = ("int32", "int64")


class ReductionOps:
    """Mixin of MLGraphBuilder: reductions, arg_min/arg_max and cumulative_sum."""

    def _reduce(self, op: str, input: MLOperand, axes: Sequence[int] | None,
                keep_dimensions: bool, label: str) -> MLOperand:
        """Spec "create reduction operation".

        Inputs: ``[input]``; attrs: ``axes`` (tuple, every reduced axis; all of them when
        the caller gave none), ``keep_dimensions`` (bool).
        """
        self._check_can_build(op)
        self._operand(op, input, "input")
        keep = to_bool(keep_dimensions, f"{op}: keep_dimensions")
        if axes is None:
            axes = tuple(range(input.rank))
        else:
            axes = to_uint_list(axes, f"{op}: axes")
            if len(set(axes)) != len(axes):
                raise fail(op, f"axes {list(axes)} must not contain duplicates")
            for axis in axes:
                if axis >= input.rank:
                    raise fail(op, f"axis {axis} in axes must be in [0, {input.rank - 1}] for "
                                   f"input rank {input.rank}" if input.rank else
                                   f"axes {list(axes)} must be empty for a scalar input")
        out = MLOperandDescriptor(input.data_type, reduction_shape(input.shape, axes, keep))
        return self._emit(op, [input], {"axes": tuple(axes), "keep_dimensions": keep}, [out],
                          label, limits={"input": input, "output": out})[0]

    def reduce_l1(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                  keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Sum of absolute values (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_l1", input, axes, keep_dimensions, label)

    def reduce_l2(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                  keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Square root of the sum of squares (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_l2", input, axes, keep_dimensions, label)

    def reduce_log_sum(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                       keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Log of the sum (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_log_sum", input, axes, keep_dimensions, label)

    def reduce_log_sum_exp(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                           keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Log of the sum of exponentials (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_log_sum_exp", input, axes, keep_dimensions, label)

    def reduce_max(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                   keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Maximum (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_max", input, axes, keep_dimensions, label)

    def reduce_mean(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                    keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Average (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_mean", input, axes, keep_dimensions, label)

    def reduce_min(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                   keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Minimum (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_min", input, axes, keep_dimensions, label)

    def reduce_product(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                       keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Product (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_product", input, axes, keep_dimensions, label)

    def reduce_sum(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                   keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Sum (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_sum", input, axes, keep_dimensions, label)

    def reduce_sum_square(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                          keep_dimensions: bool = False, label: str = "") -> MLOperand:
        """Sum of squares (webnn-spec §api-mlgraphbuilder-reduce)."""
        return self._reduce("reduce_sum_square", input, axes, keep_dimensions, label)

    # -- argMin / argMax --------------------------------------------------------------
    def _arg_min_max(self, op: str, input: MLOperand, axis: int, keep_dimensions: bool,
                     output_data_type: str, label: str) -> MLOperand:
        """Spec "create an argMin/argMax operation".

        Inputs: ``[input]``; attrs: ``axis`` (int), ``keep_dimensions`` (bool),
        ``output_data_type`` ("int32" | "int64"). Ties give the first index.
        """
        self._check_can_build(op)
        self._operand(op, input, "input")
        axis = to_uint(axis, f"{op}: axis")
        keep = to_bool(keep_dimensions, f"{op}: keep_dimensions")
        out_type = check_data_type(output_data_type, f"{op}: output_data_type")
        if axis >= input.rank:
            raise fail(op, f"axis {axis} must be less than the input rank {input.rank}")
        if out_type not in ARG_OUTPUT_TYPES:
            raise fail(op, f"output_data_type {out_type} is not allowed "
                           f"(allowed: {', '.join(ARG_OUTPUT_TYPES)})")
        if input.shape[axis] > np.iinfo(NUMPY_DTYPES[out_type]).max:
            raise fail(op, f"input dimension {axis} ({input.shape[axis]}) exceeds the maximum "
                           f"value of {out_type}")
        out = MLOperandDescriptor(out_type, reduction_shape(input.shape, (axis,), keep))
        return self._emit(op, [input], {"axis": axis, "keep_dimensions": keep,
                                        "output_data_type": out_type}, [out], label,
                          limits={"input": input, "output": out})[0]

    def arg_min(self, input: MLOperand, axis: int, *, keep_dimensions: bool = False,
                output_data_type: str = "int32", label: str = "") -> MLOperand:
        """Index of the minimum along ``axis`` (webnn-spec §api-mlgraphbuilder-argminmax)."""
        return self._arg_min_max("arg_min", input, axis, keep_dimensions, output_data_type,
                                 label)

    def arg_max(self, input: MLOperand, axis: int, *, keep_dimensions: bool = False,
                output_data_type: str = "int32", label: str = "") -> MLOperand:
        """Index of the maximum along ``axis`` (webnn-spec §api-mlgraphbuilder-argminmax)."""
        return self._arg_min_max("arg_max", input, axis, keep_dimensions, output_data_type,
                                 label)

    # -- cumulativeSum ----------------------------------------------------------------
    def cumulative_sum(self, input: MLOperand, axis: int, *, exclusive: bool = False,
                       reversed: bool = False, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-cumulativesum.

        Inputs: ``[input]``; attrs: ``axis`` (int), ``exclusive``, ``reversed`` (bools).
        """
        op = "cumulative_sum"
        self._check_can_build(op)
        self._operand(op, input, "input")
        axis = to_uint(axis, f"{op}: axis")
        exclusive = to_bool(exclusive, f"{op}: exclusive")
        reversed_ = to_bool(reversed, f"{op}: reversed")
        if input.data_type not in ("float32", "float16", "int32", "uint32", "int64", "uint64"):
            raise fail(op, f"input data type {input.data_type} is not allowed (allowed: "
                           "float32, float16, int32, uint32, int64, uint64)")
        if axis >= input.rank:
            raise fail(op, f"axis {axis} must be less than the input rank {input.rank}")
        out = MLOperandDescriptor(input.data_type, input.shape)
        return self._emit(op, [input], {"axis": axis, "exclusive": exclusive,
                                        "reversed": reversed_}, [out], label,
                          limits={"input": input, "output": out})[0]
