"""Builder methods: resample2d (webnn-spec §api-mlgraphbuilder-resample2d-method).

Node attributes (all resolved): ``mode`` ("nearest-neighbor"/"linear"), ``axes`` (the two
resampled dimensions, in the given order), ``sizes`` (the output size of each of those
axes, computed from ``scales`` when ``sizes`` is absent) and ``scales`` (the scales as
given, or (1.0, 1.0); informational: the sampling uses ``outputSize / inputSize`` as the
spec says). Inputs: ``[input]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..graph import MLOperand
from ..types import MLOperandDescriptor, to_enum, to_float
from ._checks import check_axes, check_tensor_limits, fail
from .conv import option_list, valid_dimension

INTERPOLATION_MODES = ("nearest-neighbor", "linear")


class ResampleOps:
    """Mixin of MLGraphBuilder: resample2d."""

    def resample2d(self, input: MLOperand, *, mode: str = "nearest-neighbor",
                   scales: Sequence[float] | None = None, sizes: Sequence[int] | None = None,
                   axes: Sequence[int] | None = None, label: str = "") -> MLOperand:
        """Resample two dimensions of a 4-D tensor
        (webnn-spec §api-mlgraphbuilder-resample2d-method)."""
        op = "resample2d"
        self._operand(op, input, "input")
        check_tensor_limits(op, {"input": input})
        mode = to_enum(mode, f"{op}: mode", INTERPOLATION_MODES)
        scales = _scales(op, scales)
        sizes = option_list(op, sizes, 2, "sizes", nonzero=True)
        axes = option_list(op, axes, 2, "axes", (2, 3))
        axes = check_axes(op, axes, input.rank)
        shape = list(input.shape)
        out_sizes = []
        for index, axis in enumerate(axes):
            if sizes is not None:
                size = sizes[index]
            else:
                size = math.floor(input.shape[axis] * scales[index])
            if not valid_dimension(size):
                raise fail(op, f"output size {size} of axis {axis} is not a valid dimension")
            shape[axis] = size
            out_sizes.append(size)
        attrs = {"mode": mode, "axes": axes, "sizes": tuple(out_sizes), "scales": scales}
        out = MLOperandDescriptor(input.data_type, shape)
        return self._emit(op, [input], attrs, [out], label,
                          limits={"input": input, "output": out})[0]


def _scales(op: str, scales: Sequence[float] | None) -> tuple[float, float]:
    """The ``sequence<float>`` scales option: 2 items, each > 0 (finite, as a WebIDL float)."""
    if scales is None:
        return (1.0, 1.0)
    if isinstance(scales, (str, bytes)) or not isinstance(scales, Sequence):
        raise fail(op, f"scales must be a sequence of numbers, got {type(scales).__name__}")
    # WebIDL ``float``: round to float32; a value out of its range is an error.
    with np.errstate(over="ignore"):
        values = tuple(float(np.float32(to_float(v, f"{op}: scales"))) for v in scales)
    if not all(math.isfinite(v) for v in values):
        raise fail(op, "scales items must be finite float32 values")
    if len(values) != 2:
        raise fail(op, f"scales must have 2 items, got {len(values)}")
    if any(v <= 0 for v in values):
        raise fail(op, f"scales items must be greater than 0, got {list(values)}")
    return values
