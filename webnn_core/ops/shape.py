"""Builder methods: reshape, transpose, expand, tile, concat, split, slice, pad, reverse,
triangular (webnn-spec §api-mlgraphbuilder-reshape-method, -transpose, -expand, -tile,
-concat, -split, -slice, -pad, -reverse-method, -triangular).

Every option is resolved to its canonical form in the node's ``attrs`` so that backends
only translate:

- reshape/expand: ``new_shape`` (tuple); transpose: ``permutation`` (tuple);
- tile: ``repetitions``; concat: ``axis``; split: ``axis`` and ``splits`` (the size of
  every output along ``axis``, also when given as a count);
- slice: ``starts``, ``sizes``, ``strides`` (all of length rank);
- pad: ``beginning_padding``, ``ending_padding``, ``mode``, ``value`` (the MLNumber
  already cast to the input's data type: an ``int`` or a ``float``);
- reverse: ``axes`` (sorted tuple; all axes when absent); triangular: ``upper``,
  ``diagonal``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from ..graph import MLOperand
from ..types import (
    MAX_DIMENSION,
    MLOperandDescriptor,
    cast_number,
    to_bool,
    to_enum,
    to_int,
    to_uint,
    to_uint_list,
)
from ._checks import fail, unidirectional_broadcastable

#: spec "valid tensor count"
MAX_TENSOR_COUNT = 8192
PADDING_MODES = ("constant", "edge", "reflection")


def _valid_dimension(value: int) -> bool:
    return 0 < value <= MAX_DIMENSION


def _mlnumber(op: str, value: object) -> int | float:
    """An MLNumber (``bigint or unrestricted double``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise fail(op, f"value {value!r} is not a number (MLNumber)")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


class ShapeOps:
    """Mixin of MLGraphBuilder: data movement operators."""

    # -- spec §api-mlgraphbuilder-reshape-method ----------------------------------------
    def reshape(self, input: MLOperand, new_shape: Sequence[int], *,
                label: str = "") -> MLOperand:
        """Give ``input``'s elements the shape ``new_shape`` (same element count)."""
        op = "reshape"
        self._operand(op, input, "input")
        shape = to_uint_list(new_shape, f"{op}: newShape")
        for d in shape:
            if not _valid_dimension(d):
                raise fail(op, f"newShape {list(shape)} has an invalid dimension {d} "
                               "(each must be > 0)")
        count = math.prod(shape)
        if count != input.descriptor.element_count:
            raise fail(op, f"newShape {list(shape)} has {count} elements but input shape "
                           f"{list(input.shape)} has {input.descriptor.element_count}")
        out = MLOperandDescriptor(input.data_type, shape)
        return self._emit(op, [input], {"new_shape": shape}, [out], label,
                          limits={"input": input, "output": out})[0]

    # -- spec §api-mlgraphbuilder-transpose ---------------------------------------------
    def transpose(self, input: MLOperand, *, permutation: Sequence[int] | None = None,
                  label: str = "") -> MLOperand:
        """Permute ``input``'s dimensions; default permutation reverses them."""
        op = "transpose"
        self._operand(op, input, "input")
        rank = input.rank
        if permutation is None:
            perm = tuple(range(rank - 1, -1, -1))
        else:
            perm = to_uint_list(permutation, f"{op}: permutation")
            if len(perm) != rank:
                raise fail(op, f"permutation {list(perm)} must have {rank} values (the input "
                               "rank)")
            if any(p >= rank for p in perm):
                raise fail(op, f"permutation {list(perm)} values must be in [0, {rank - 1}]")
            if len(set(perm)) != rank:
                raise fail(op, f"permutation {list(perm)} must not contain duplicates")
        out = MLOperandDescriptor(input.data_type, tuple(input.shape[p] for p in perm))
        return self._emit(op, [input], {"permutation": perm}, [out], label,
                          limits={"input": input, "output": out})[0]

    # -- spec §api-mlgraphbuilder-expand ------------------------------------------------
    def expand(self, input: MLOperand, new_shape: Sequence[int], *,
               label: str = "") -> MLOperand:
        """Broadcast ``input`` (unidirectionally) to ``new_shape``."""
        op = "expand"
        self._operand(op, input, "input")
        shape = to_uint_list(new_shape, f"{op}: newShape")
        if not unidirectional_broadcastable(input.shape, shape):
            raise fail(op, f"input shape {list(input.shape)} is not unidirectionally "
                           f"broadcastable to newShape {list(shape)}")
        for d in shape:
            if not _valid_dimension(d):
                raise fail(op, f"newShape {list(shape)} has an invalid dimension {d}")
        out = MLOperandDescriptor(input.data_type, shape)
        return self._emit(op, [input], {"new_shape": shape}, [out], label,
                          limits={"input": input, "output": out})[0]

    # -- spec §api-mlgraphbuilder-tile --------------------------------------------------
    def tile(self, input: MLOperand, repetitions: Sequence[int], *,
             label: str = "") -> MLOperand:
        """Repeat ``input`` ``repetitions[d]`` times along each dimension ``d``."""
        op = "tile"
        self._operand(op, input, "input")
        reps = to_uint_list(repetitions, f"{op}: repetitions")
        if len(reps) != input.rank:
            raise fail(op, f"repetitions {list(reps)} must have {input.rank} values (the "
                           "input rank)")
        if any(r == 0 for r in reps):
            raise fail(op, f"repetitions {list(reps)} must not contain 0")
        shape = tuple(d * r for d, r in zip(input.shape, reps, strict=True))
        out = MLOperandDescriptor(input.data_type, shape)
        return self._emit(op, [input], {"repetitions": reps}, [out], label,
                          limits={"input": input, "output": out})[0]

    # -- spec §api-mlgraphbuilder-concat ------------------------------------------------
    def concat(self, inputs: Sequence[MLOperand], axis: int, *, label: str = "") -> MLOperand:
        """Concatenate ``inputs`` along ``axis``."""
        op = "concat"
        if isinstance(inputs, MLOperand) or not isinstance(inputs, Sequence):
            raise fail(op, "inputs must be a sequence of MLOperands")
        inputs = list(inputs)
        for i, x in enumerate(inputs):
            self._operand(op, x, f"inputs[{i}]")
        if not 0 < len(inputs) <= MAX_TENSOR_COUNT:
            raise fail(op, f"the number of inputs ({len(inputs)}) must be in [1, "
                           f"{MAX_TENSOR_COUNT}]")
        axis = to_uint(axis, f"{op}: axis")
        first = inputs[0]
        if axis >= first.rank:
            raise fail(op, f"axis {axis} must be less than the inputs' rank {first.rank}")
        shape = list(first.shape)
        for i, x in enumerate(inputs[1:], start=1):
            if x.data_type != first.data_type:
                raise fail(op, f"inputs[{i}] data type {x.data_type} must match inputs[0] "
                               f"data type {first.data_type}")
            if x.rank != first.rank:
                raise fail(op, f"inputs[{i}] rank {x.rank} must equal inputs[0] rank "
                               f"{first.rank}")
            for dim in range(x.rank):
                if dim != axis and x.shape[dim] != first.shape[dim]:
                    raise fail(op, f"inputs[{i}] shape {list(x.shape)} must equal inputs[0] "
                                   f"shape {list(first.shape)} except along axis {axis}")
            shape[axis] += x.shape[axis]
            if not _valid_dimension(shape[axis]):
                raise fail(op, f"the output size {shape[axis]} along axis {axis} is not a "
                               "valid dimension")
        out = MLOperandDescriptor(first.data_type, shape)
        return self._emit(op, inputs, {"axis": axis}, [out], label,
                          limits={"inputs": inputs, "output": out})[0]

    # -- spec §api-mlgraphbuilder-split -------------------------------------------------
    def split(self, input: MLOperand, splits: int | Sequence[int], *, axis: int = 0,
              label: str = "") -> list[MLOperand]:
        """Split ``input`` along ``axis`` into ``splits`` equal parts or parts of the
        given sizes; returns a list."""
        op = "split"
        self._operand(op, input, "input")
        axis = to_uint(axis, f"{op}: axis")
        if axis >= input.rank:
            raise fail(op, f"axis {axis} must be less than the input rank {input.rank}")
        size = input.shape[axis]
        if isinstance(splits, (Sequence, np.ndarray)) and not isinstance(splits, (str, bytes)):
            sizes = to_uint_list(splits, f"{op}: splits")
            if not 0 < len(sizes) <= MAX_TENSOR_COUNT:
                raise fail(op, f"the number of splits ({len(sizes)}) must be in [1, "
                               f"{MAX_TENSOR_COUNT}]")
            if any(s == 0 for s in sizes):
                raise fail(op, f"splits {list(sizes)} must not contain 0")
            if sum(sizes) != size:
                raise fail(op, f"splits {list(sizes)} must sum to the input size {size} "
                               f"along axis {axis}")
        else:
            count = to_uint(splits, f"{op}: splits")
            if not 0 < count <= MAX_TENSOR_COUNT:
                raise fail(op, f"splits {count} must be in [1, {MAX_TENSOR_COUNT}]")
            if size % count:
                raise fail(op, f"splits {count} must evenly divide the input size {size} "
                               f"along axis {axis}")
            sizes = (size // count,) * count
        outs = []
        for s in sizes:
            shape = list(input.shape)
            shape[axis] = s
            outs.append(MLOperandDescriptor(input.data_type, shape))
        return self._emit(op, [input], {"axis": axis, "splits": sizes}, outs, label,
                          limits={"input": input, "outputs": outs})

    # -- spec §api-mlgraphbuilder-slice -------------------------------------------------
    def slice(self, input: MLOperand, starts: Sequence[int], sizes: Sequence[int], *,
              strides: Sequence[int] | None = None, label: str = "") -> MLOperand:
        """Take ``sizes[d]`` elements from ``starts[d]`` stepping ``strides[d]``."""
        op = "slice"
        self._operand(op, input, "input")
        starts = to_uint_list(starts, f"{op}: starts")
        sizes = to_uint_list(sizes, f"{op}: sizes")
        rank = input.rank
        if any(s == 0 for s in sizes):
            raise fail(op, f"sizes {list(sizes)} must not contain 0")
        if len(starts) != rank or len(sizes) != rank:
            raise fail(op, f"starts {list(starts)} and sizes {list(sizes)} must both have "
                           f"{rank} values (the input rank)")
        if strides is None:
            steps = (1,) * rank
        else:
            steps = to_uint_list(strides, f"{op}: strides")
            if len(steps) != rank:
                raise fail(op, f"strides {list(steps)} must have {rank} values (the input "
                               "rank)")
        shape = []
        for d in range(rank):
            if steps[d] < 1:
                raise fail(op, f"strides {list(steps)} must be greater than 0")
            if starts[d] > input.shape[d] or starts[d] + sizes[d] > input.shape[d]:
                raise fail(op, f"starts[{d}] + sizes[{d}] ({starts[d]} + {sizes[d]}) must not "
                               f"exceed the input size {input.shape[d]}")
            shape.append(-(-sizes[d] // steps[d]))
        out = MLOperandDescriptor(input.data_type, shape)
        attrs = {"starts": starts, "sizes": sizes, "strides": steps}
        return self._emit(op, [input], attrs, [out], label,
                          limits={"input": input, "output": out})[0]

    # -- spec §api-mlgraphbuilder-pad ---------------------------------------------------
    def pad(self, input: MLOperand, beginning_padding: Sequence[int],
            ending_padding: Sequence[int], *, mode: str = "constant", value: object = 0,
            label: str = "") -> MLOperand:
        """Pad ``input`` with a constant, its edge values or its reflection."""
        op = "pad"
        self._operand(op, input, "input")
        begin = to_uint_list(beginning_padding, f"{op}: beginningPadding")
        end = to_uint_list(ending_padding, f"{op}: endingPadding")
        mode = to_enum(mode, f"{op}: mode", PADDING_MODES)
        rank = input.rank
        if len(begin) != rank or len(end) != rank:
            raise fail(op, f"beginningPadding {list(begin)} and endingPadding {list(end)} "
                           f"must both have {rank} values (the input rank)")
        shape = []
        for d in range(rank):
            size = input.shape[d]
            if mode == "reflection" and (begin[d] >= size or end[d] >= size):
                raise fail(op, f"reflection padding ({begin[d]}, {end[d]}) along dimension "
                               f"{d} must be less than the input size {size}")
            shape.append(size + begin[d] + end[d])
        for d in shape:
            if not _valid_dimension(d):
                raise fail(op, f"the output shape {shape} has an invalid dimension {d}")
        cast = cast_number(_mlnumber(op, value), input.data_type)
        out = MLOperandDescriptor(input.data_type, shape)
        attrs = {"beginning_padding": begin, "ending_padding": end, "mode": mode,
                 "value": cast}
        return self._emit(op, [input], attrs, [out], label,
                          limits={"input": input, "output": out})[0]

    # -- spec §api-mlgraphbuilder-reverse-method ----------------------------------------
    def reverse(self, input: MLOperand, *, axes: Sequence[int] | None = None,
                label: str = "") -> MLOperand:
        """Reverse ``input`` along ``axes`` (all axes when absent, none when empty)."""
        op = "reverse"
        self._operand(op, input, "input")
        rank = input.rank
        if axes is None:
            axes_t = tuple(range(rank))
        else:
            axes_t = to_uint_list(axes, f"{op}: axes")
            if any(a >= rank for a in axes_t):
                raise fail(op, f"axes {list(axes_t)} values must be in [0, {rank - 1}] for "
                               f"rank {rank}")
            if len(set(axes_t)) != len(axes_t):
                raise fail(op, f"axes {list(axes_t)} must not contain duplicates")
        out = MLOperandDescriptor(input.data_type, input.shape)
        return self._emit(op, [input], {"axes": tuple(sorted(axes_t))}, [out], label,
                          limits={"input": input, "output": out})[0]

    # -- spec §api-mlgraphbuilder-triangular --------------------------------------------
    def triangular(self, input: MLOperand, *, upper: bool = True, diagonal: int = 0,
                   label: str = "") -> MLOperand:
        """Keep the upper (``j - i >= diagonal``) or lower (``j - i <= diagonal``)
        triangle of the last two dimensions; zero the rest."""
        op = "triangular"
        self._operand(op, input, "input")
        upper = to_bool(upper, f"{op}: upper")
        diagonal = to_int(diagonal, f"{op}: diagonal")
        out = MLOperandDescriptor(input.data_type, input.shape)
        return self._emit(op, [input], {"upper": upper, "diagonal": diagonal}, [out], label,
                          limits={"input": input, "output": out})[0]
