"""XLA lowering: resample2d (webnn-spec §api-mlgraphbuilder-resample2d-method).

The sampling positions depend on the shapes only, so they are computed exactly in numpy at
trace time (the reference backend's ``input_coordinates``: integer floor and ceil, one
rounding for the fraction) and become gathers plus, for linear mode, a blend in float32.
Integer linear results round to nearest, ties to even, as in the reference.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ...graph import Node
from ..reference.resample import input_coordinates
from ._registry import is_float, registry


def _nearest(x: jnp.ndarray, axis: int, out_size: int) -> jnp.ndarray:
    lo, hi, frac = input_coordinates(x.shape[axis], out_size)
    return jnp.take(x, np.where(frac <= 0.5, lo, hi), axis=axis)


def _linear(x: jnp.ndarray, axis: int, out_size: int) -> jnp.ndarray:
    lo, hi, frac = input_coordinates(x.shape[axis], out_size)
    t = frac.astype(np.float32).reshape([-1 if d == axis else 1 for d in range(x.ndim)])
    return jnp.take(x, lo, axis=axis) * (1 - t) + jnp.take(x, hi, axis=axis) * t


@registry.register("resample2d")
def resample2d(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    a = node.attrs
    (axis_y, axis_x), (size_y, size_x) = a["axes"], a["sizes"]
    if a["mode"] == "nearest-neighbor":
        return _nearest(_nearest(x, axis_x, size_x), axis_y, size_y)
    integer = not is_float(x)
    y = _linear(_linear(x.astype(jnp.float32), axis_x, size_x), axis_y, size_y)
    return jnp.round(y) if integer else y
