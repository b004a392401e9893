"""XLA lowerings: average_pool2d, l2_pool2d, max_pool2d (webnn-spec §api-mlgraphbuilder-pool2d).

Each is one ``lax.reduce_window`` over the input padded (or, for "floor" rounding with a
remainder, cropped: ``lax.pad`` takes negative widths) so that the window count is exactly
``outputSizes``, with the spec's dilations. As in the reference kernels: padding takes no
part (average divides by the count of window elements inside the input, known at trace
time; an empty window gives 0), and max pooling ignores NaN (maxNum) starting from the
data type's lowest value (for floats the lowest finite float32).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from ...graph import Node
from ._registry import is_float, registry


def _spatial_axes(layout: str) -> tuple[int, int]:
    return (2, 3) if layout == "nchw" else (1, 2)


def _window(node: Node, x: jnp.ndarray, fill: object, init: object, op: object,
            ) -> jnp.ndarray:
    """``reduce_window(op)`` of ``x`` padded with ``fill`` so that it yields outputSizes."""
    a = node.attrs
    axes = _spatial_axes(a["layout"])
    pads = [(0, 0, 0)] * 4
    dims, strides, dilations = [1] * 4, [1] * 4, [1] * 4
    for i, axis in enumerate(axes):
        k, s, d = a["window_dimensions"][i], a["strides"][i], a["dilations"][i]
        begin = a["padding"][2 * i]
        needed = (a["output_sizes"][i] - 1) * s + (k - 1) * d + 1
        pads[axis] = (begin, needed - x.shape[axis] - begin, 0)
        dims[axis], strides[axis], dilations[axis] = k, s, d
    padded = lax.pad(x, jnp.asarray(fill, x.dtype), pads)
    return lax.reduce_window(padded, jnp.asarray(init, x.dtype), op, tuple(dims),
                             tuple(strides), "VALID", window_dilation=tuple(dilations))


def _count(node: Node, x: jnp.ndarray) -> np.ndarray:
    """Per output position, the number of window elements inside the input (numpy, at
    trace time), shaped to broadcast against the output."""
    a = node.attrs
    counts = []
    for i, axis in enumerate(_spatial_axes(a["layout"])):
        k, s, d = a["window_dimensions"][i], a["strides"][i], a["dilations"][i]
        pos = (np.arange(a["output_sizes"][i])[:, None] * s - a["padding"][2 * i]
               + np.arange(k)[None, :] * d)
        counts.append(((pos >= 0) & (pos < x.shape[axis])).sum(axis=1))
    grid = np.outer(counts[0], counts[1]).astype(np.float32)
    return grid if a["layout"] == "nchw" else grid[:, :, None]


@registry.register("average_pool2d")
def average_pool2d(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    total = _window(node, x, 0, 0, lax.add)
    count = _count(node, x)
    return jnp.where(count > 0, total / np.maximum(count, 1), jnp.zeros((), x.dtype))


@registry.register("l2_pool2d")
def l2_pool2d(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    return jnp.sqrt(_window(node, x * x, 0, 0, lax.add))


@registry.register("max_pool2d")
def max_pool2d(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    if is_float(x):
        lowest = np.finfo(np.float32).min
        x = jnp.where(jnp.isnan(x), jnp.asarray(lowest, x.dtype), x)
    else:
        lowest = np.iinfo(np.dtype(x.dtype)).min
    return _window(node, x, lowest, lowest, lax.max)
