"""SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (TFLite space_to_batch_nd.cc,
batch_to_space_nd.cc and reference_ops' SpaceToBatchND/BatchToSpaceND), expressed with WebNN's
pad, reshape, transpose and slice (webnn-spec §api-mlgraphbuilder-pad,
§api-mlgraphbuilder-reshape-method, §api-mlgraphbuilder-transpose, §api-mlgraphbuilder-slice).

Input ``[B, s_1 .. s_M, rest...]`` with the constant ``block_shape`` ``[b_1 .. b_M]``:

- SPACE_TO_BATCH_ND pads the M spatial dimensions by the constant ``paddings`` ``[M, 2]``
  (with 0, or the output zero point for int8/uint8, as the kernel's ``output_offset``), then
  ``out[(k_1 * b_2 * .. + k_M) * B + n, i_1 .. i_M, rest] = padded[n, i_1 * b_1 + k_1, ..,
  i_M * b_M + k_M, rest]``: reshape to ``[B, s_1/b_1, b_1, .., s_M/b_M, b_M, rest]``,
  move the block axes to the front, reshape to ``[prod(b) * B, s_1/b_1, .., rest]``.
- BATCH_TO_SPACE_ND is its inverse followed by cropping ``crops`` ``[M, 2]`` off the
  spatial dimensions.

Both kernels copy the stored values (quantized integers move unchanged; TFLite requires the
input and output types to agree). These ops usually wrap a convolution as TensorFlow's
lowering of a dilated convolution; each is translated exactly on its own.
"""

from __future__ import annotations

import numpy as np

from ..translator import OpView, translator
from .shape import _ints, _source


def _block_and_pairs(v: OpView, what: str) -> tuple[list[int], list[tuple[int, int]]]:
    """The constant ``block_shape`` (input 1, int32 ``[M]``) and ``paddings``/``crops``
    (input 2, int32 ``[M, 2]``), checked as TFLite's Prepare checks them."""
    for i in (1, 2):
        if v.tensor(i).type_name != "INT32":
            raise v.unsupported(f"input {i} is {v.tensor(i).type_name} (TFLite takes int32)",
                                "dtype")
    block = _ints(v, 1, "block_shape")
    flat = _ints(v, 2, what)
    if len(v.tensor(1).shape) != 1 or len(flat) != 2 * len(block) or not block:
        raise v.unsupported(f"block_shape {block} and {what} {flat} must be [M] and [M, 2]",
                            "shape")
    if any(b < 1 for b in block) or any(p < 0 for p in flat):
        raise v.unsupported(f"block_shape {block} must be >= 1 and {what} {flat} >= 0")
    rank = len(v.shape(0))
    if rank < len(block) + 1:
        raise v.unsupported(f"input rank {rank} is below 1 + {len(block)} block dimensions",
                            "shape")
    return block, list(zip(flat[0::2], flat[1::2], strict=True))


@translator("SPACE_TO_BATCH_ND")
def space_to_batch_nd(v: OpView) -> list:
    """SPACE_TO_BATCH_ND(input, block_shape, paddings): pad, reshape, transpose, reshape."""
    x = _source(v)
    block, pads = _block_and_pairs(v, "paddings")
    m = len(block)
    shape = list(x.shape)
    rest = shape[m + 1:]
    padded = [shape[1 + k] + pads[k][0] + pads[k][1] for k in range(m)]
    if any(p % b for p, b in zip(padded, block, strict=True)):
        raise v.unsupported(f"padded spatial sizes {padded} are not multiples of the block "
                            f"shape {block}", "shape")
    if any(p for pair in pads for p in pair):
        out = v.out_tensor()
        value = int(out.quantization.zero_point[0]) if out.is_quantized else 0
        begin = [0] + [p[0] for p in pads] + [0] * len(rest)
        end = [0] + [p[1] for p in pads] + [0] * len(rest)
        x = v.b.pad(x, begin, end, mode="constant", value=value)
    batch = shape[0]
    split = [batch]
    for size, b in zip(padded, block, strict=True):
        split += [size // b, b]
    y = v.b.reshape(x, split + rest)
    # axes of `split`: 0 batch, 1 + 2k the outer spatial index, 2 + 2k the block offset
    perm = [2 + 2 * k for k in range(m)] + [0] + [1 + 2 * k for k in range(m)]
    perm += list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    y = v.b.transpose(y, permutation=perm)
    y = v.b.reshape(y, [batch * int(np.prod(block))] + [p // b for p, b in
                                                      zip(padded, block, strict=True)] + rest)
    return [y]


@translator("BATCH_TO_SPACE_ND")
def batch_to_space_nd(v: OpView) -> list:
    """BATCH_TO_SPACE_ND(input, block_shape, crops): reshape, transpose, reshape, slice."""
    x = _source(v)
    block, crops = _block_and_pairs(v, "crops")
    m = len(block)
    shape = list(x.shape)
    count = int(np.prod(block))
    if shape[0] % count:
        raise v.unsupported(f"batch {shape[0]} is not a multiple of the block size {count}",
                            "shape")
    batch = shape[0] // count
    spatial, rest = shape[1:1 + m], shape[1 + m:]
    full = [s * b for s, b in zip(spatial, block, strict=True)]
    if any(c[0] + c[1] >= f for c, f in zip(crops, full, strict=True)):
        raise v.unsupported(f"crops {crops} leave nothing of the spatial sizes {full}", "shape")
    y = v.b.reshape(x, block + [batch] + spatial + rest)
    # axes: k < m block offsets, m batch, m + 1 + k spatial; interleave (spatial_k, block_k)
    perm = [m]
    for k in range(m):
        perm += [m + 1 + k, k]
    perm += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    y = v.b.transpose(y, permutation=perm)
    y = v.b.reshape(y, [batch] + full + rest)
    if any(c for pair in crops for c in pair):
        starts = [0] + [c[0] for c in crops] + [0] * len(rest)
        sizes = [batch] + [f - c[0] - c[1] for f, c in zip(full, crops, strict=True)] + rest
        y = v.b.slice(y, starts, sizes)
    return [y]
