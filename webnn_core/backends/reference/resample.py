"""Reference kernel: resample2d (webnn-spec §api-mlgraphbuilder-resample2d-method).

Per resampled axis, with ``scale = outputSize / inputSize``: ``inputCoordinate =
clamp((outputCoordinate + 0.5) / scale - 0.5, 0, inputSize - 1)``; nearest-neighbor reads
``ceil(inputCoordinate - 0.5)``; linear blends the neighbours ``floor`` and ``ceil`` of the
coordinate. Bilinear sampling is separable, so it is applied along the second axis
(``x``) and then the first (``y``), as the spec's formula does, in float64.
Integer (int8/uint8) results of linear sampling are rounded to the nearest integer, ties
to even (the spec leaves it open; OpenVINO's Interpolate does this).
"""

from __future__ import annotations

import numpy as np

from ...graph import Node
from ._registry import registry


def input_coordinates(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Along one axis, for every output coordinate: the clamped input coordinate's floor,
    its ceil and its fractional part. The coordinate is the exact rational
    ``((2 * out + 1) * inputSize - outputSize) / (2 * outputSize)``, so integer
    arithmetic gives the floor and ceil exactly and the fraction is rounded only once."""
    den = 2 * out_size
    num = (2 * np.arange(out_size, dtype=np.int64) + 1) * in_size - out_size
    num = np.clip(num, 0, (in_size - 1) * den)
    lo = num // den
    rem = num - lo * den
    hi = np.where(rem > 0, lo + 1, lo)
    return lo, hi, rem / den


def _nearest(x: np.ndarray, axis: int, out_size: int) -> np.ndarray:
    # ceil(c - 0.5): the floor when the fraction is at most one half, else the ceil
    lo, hi, frac = input_coordinates(x.shape[axis], out_size)
    return np.take(x, np.where(frac <= 0.5, lo, hi), axis=axis)


def _linear(x: np.ndarray, axis: int, out_size: int) -> np.ndarray:
    lo, hi, frac = input_coordinates(x.shape[axis], out_size)
    t = frac.reshape([-1 if d == axis else 1 for d in range(x.ndim)])
    return np.take(x, lo, axis=axis) * (1 - t) + np.take(x, hi, axis=axis) * t


@registry.register("resample2d")
def resample2d(node: Node, x: np.ndarray) -> np.ndarray:
    a = node.attrs
    (axis_y, axis_x), (size_y, size_x) = a["axes"], a["sizes"]
    integer = x.dtype.kind in "iu"
    if a["mode"] == "nearest-neighbor":
        return _nearest(_nearest(x, axis_x, size_x), axis_y, size_y)
    y = _linear(_linear(x.astype(np.float64), axis_x, size_x), axis_y, size_y)
    return np.rint(y) if integer else y
