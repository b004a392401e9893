"""Builder methods: gather, gather_elements, gather_nd, scatter_elements, scatter_nd, where
(webnn-spec §api-mlgraphbuilder-gather, -gatherelements, -gathernd, -scatterelements,
-scatternd, -where).

Index values are only known at compute time. The spec requires them to be in [-N, N)
(negative counting from the end) and lets implementations clamp: both backends clamp
each index to [-N, N - 1] and then add N to negative ones, so an out-of-bounds index
never reads or writes outside the tensor. ``attrs`` holds ``axis`` for the ops that have
one.
"""

from __future__ import annotations

from ..graph import MLOperand
from ..types import MLOperandDescriptor, to_uint
from ._checks import broadcast_shapes, fail

INDEX_TYPES = ("int32", "uint32", "int64")


def _check_index_type(op: str, indices: MLOperand) -> None:
    if indices.data_type not in INDEX_TYPES:
        raise fail(op, f"indices data type {indices.data_type} is not allowed (allowed: "
                       f"{', '.join(INDEX_TYPES)})")


class GatherScatterOps:
    """Mixin of MLGraphBuilder: indexed reads and writes, and where."""

    def _axis(self, op: str, axis: object, rank: int) -> int:
        axis = to_uint(axis, f"{op}: axis")
        if axis >= rank:
            raise fail(op, f"axis {axis} must be less than the input rank {rank}")
        return axis

    # -- spec §api-mlgraphbuilder-gather ------------------------------------------------
    def gather(self, input: MLOperand, indices: MLOperand, *, axis: int = 0,
               label: str = "") -> MLOperand:
        """Take slices of ``input`` along ``axis`` at ``indices``; output shape is
        ``input.shape[:axis] + indices.shape + input.shape[axis + 1:]``."""
        op = "gather"
        self._operand(op, input, "input")
        self._operand(op, indices, "indices")
        _check_index_type(op, indices)
        if input.rank < 1:
            raise fail(op, "input must be of rank 1 to N, got rank 0")
        axis = self._axis(op, axis, input.rank)
        shape = input.shape[:axis] + indices.shape + input.shape[axis + 1:]
        out = MLOperandDescriptor(input.data_type, shape)
        # The table lists output ranks "1 to N", but the method steps (and WPT) accept the
        # rank-0 output of a rank-1 input with scalar indices: only check a ranked output.
        limits = {"input": input, "indices": indices, "output": out if out.rank else None}
        return self._emit(op, [input, indices], {"axis": axis}, [out], label,
                          limits=limits)[0]

    # -- spec §api-mlgraphbuilder-gatherelements ----------------------------------------
    def gather_elements(self, input: MLOperand, indices: MLOperand, *, axis: int = 0,
                        label: str = "") -> MLOperand:
        """``output[..., i, ...] = input[..., indices[..., i, ...], ...]`` along ``axis``."""
        op = "gather_elements"
        self._operand(op, input, "input")
        self._operand(op, indices, "indices")
        _check_index_type(op, indices)
        if input.rank < 1:
            raise fail(op, "input must be of rank 1 to N, got rank 0")
        if indices.rank != input.rank:
            raise fail(op, f"indices rank {indices.rank} must equal input rank {input.rank}")
        axis = self._axis(op, axis, input.rank)
        self._check_same_except_axis(op, indices, input, axis)
        out = MLOperandDescriptor(input.data_type, indices.shape)
        return self._emit(op, [input, indices], {"axis": axis}, [out], label,
                          limits={"input": input, "indices": indices, "output": out})[0]

    @staticmethod
    def _check_same_except_axis(op: str, indices: MLOperand, input: MLOperand,
                                axis: int) -> None:
        expected = list(input.shape)
        expected[axis] = indices.shape[axis]
        if list(indices.shape) != expected:
            raise fail(op, f"indices shape {list(indices.shape)} must equal input shape "
                           f"{list(input.shape)} except along axis {axis}")

    # -- spec §api-mlgraphbuilder-gathernd ----------------------------------------------
    def gather_nd(self, input: MLOperand, indices: MLOperand, *, label: str = "") -> MLOperand:
        """Gather the slices at the coordinates in the last dimension of ``indices``."""
        op = "gather_nd"
        self._operand(op, input, "input")
        self._operand(op, indices, "indices")
        _check_index_type(op, indices)
        shape = self._nd_shape(op, input, indices)
        out = MLOperandDescriptor(input.data_type, shape)
        return self._emit(op, [input, indices], {}, [out], label,
                          limits={"input": input, "indices": indices, "output": out})[0]

    @staticmethod
    def _nd_shape(op: str, input: MLOperand, indices: MLOperand) -> tuple[int, ...]:
        """``indices.shape[:-1] + input.shape[coordinateSize:]`` (gatherND / scatterND)."""
        if input.rank < 1:
            raise fail(op, "input must be of rank 1 to N, got rank 0")
        if indices.rank < 1:
            raise fail(op, "indices must be of rank 1 to N, got rank 0")
        coordinate_size = indices.shape[-1]
        if coordinate_size > input.rank:
            raise fail(op, f"indices' last dimension ({coordinate_size}) must not exceed the "
                           f"input rank {input.rank}")
        return indices.shape[:-1] + input.shape[coordinate_size:]

    # -- spec §api-mlgraphbuilder-scatterelements ---------------------------------------
    def scatter_elements(self, input: MLOperand, indices: MLOperand, updates: MLOperand, *,
                         axis: int = 0, label: str = "") -> MLOperand:
        """A copy of ``input`` with ``updates`` written along ``axis`` at ``indices``."""
        op = "scatter_elements"
        self._operand(op, input, "input")
        self._operand(op, indices, "indices")
        self._operand(op, updates, "updates")
        _check_index_type(op, indices)
        if updates.data_type != input.data_type:
            raise fail(op, f"updates data type {updates.data_type} must match input data "
                           f"type {input.data_type}")
        if input.rank < 1:
            raise fail(op, "input must be of rank 1 to N, got rank 0")
        if indices.rank != input.rank or updates.rank != input.rank:
            raise fail(op, f"indices rank {indices.rank} and updates rank {updates.rank} "
                           f"must equal input rank {input.rank}")
        axis = self._axis(op, axis, input.rank)
        self._check_same_except_axis(op, indices, input, axis)
        if updates.shape != indices.shape:
            raise fail(op, f"updates shape {list(updates.shape)} must equal indices shape "
                           f"{list(indices.shape)}")
        out = MLOperandDescriptor(input.data_type, input.shape)
        return self._emit(op, [input, indices, updates], {"axis": axis}, [out], label,
                          limits={"input": input, "indices": indices, "updates": updates,
                                  "output": out})[0]

    # -- spec §api-mlgraphbuilder-scatternd ---------------------------------------------
    def scatter_nd(self, input: MLOperand, indices: MLOperand, updates: MLOperand, *,
                   label: str = "") -> MLOperand:
        """A copy of ``input`` with the slices of ``updates`` written at the coordinates
        in the last dimension of ``indices``."""
        op = "scatter_nd"
        self._operand(op, input, "input")
        self._operand(op, indices, "indices")
        self._operand(op, updates, "updates")
        _check_index_type(op, indices)
        if updates.data_type != input.data_type:
            raise fail(op, f"updates data type {updates.data_type} must match input data "
                           f"type {input.data_type}")
        expected = self._nd_shape(op, input, indices)
        if updates.shape != expected:
            raise fail(op, f"updates shape {list(updates.shape)} must be {list(expected)} "
                           "(indices.shape[:-1] + input.shape[indices.shape[-1]:])")
        out = MLOperandDescriptor(input.data_type, input.shape)
        return self._emit(op, [input, indices, updates], {}, [out], label,
                          limits={"input": input, "indices": indices, "updates": updates,
                                  "output": out})[0]

    # -- spec §api-mlgraphbuilder-where -------------------------------------------------
    def where(self, condition: MLOperand, true_value: MLOperand, false_value: MLOperand, *,
              label: str = "") -> MLOperand:
        """``true_value`` where ``condition`` is non-zero, else ``false_value``; the
        three shapes broadcast bidirectionally."""
        op = "where"
        self._operand(op, condition, "condition")
        self._operand(op, true_value, "trueValue")
        self._operand(op, false_value, "falseValue")
        if condition.data_type != "uint8":
            raise fail(op, f"condition data type {condition.data_type} is not allowed "
                           "(allowed: uint8)")
        if false_value.data_type != true_value.data_type:
            raise fail(op, f"falseValue data type {false_value.data_type} must match "
                           f"trueValue data type {true_value.data_type}")
        shape = broadcast_shapes(op, true_value.shape, false_value.shape)
        shape = broadcast_shapes(op, condition.shape, shape)
        out = MLOperandDescriptor(true_value.data_type, shape)
        return self._emit(op, [condition, true_value, false_value], {}, [out], label,
                          limits={"condition": condition, "true_value": true_value,
                                  "false_value": false_value, "output": out})[0]
