"""com.microsoft RotaryEmbedding: rotary position embedding with 2-D cos/sin cache
tables gathered at position ids, as ONNX Runtime's CPU kernel computes it (the rotation
itself is ai.onnx RotaryEmbedding's, ../rotary.py).
"""

from __future__ import annotations

import math

import numpy as np

from ...translator import NodeView, translator
from .._common import float_input, same_type
from ..rotary import check_rotary_dim, gather_table, rope
from . import DOMAIN


@translator("RotaryEmbedding", domain=DOMAIN, since=1)
def rotary_embedding_ms(n: NodeView) -> list:
    """com.microsoft RotaryEmbedding (1), as ONNX Runtime's CPU kernel: inputs ``input``
    (``[B, S, hidden]`` or ``[B, heads, S, head]``), ``position_ids`` (one start offset,
    positions ``p0 + s``, or ``[B, S]``), and 2-D ``cos_cache``/``sin_cache`` tables.
    The head size is ``2 * cos_cache.shape[1]`` without ``rotary_embedding_dim``, else
    ``hidden / num_heads``. ``scale`` only affects cache updates ONNX Runtime does not
    implement; ``is_packed_batching`` = 1 is refused."""
    if int(n.attr("is_packed_batching", 0)):
        raise n.unsupported("is_packed_batching=1 (ragged batches) is not supported")
    x = float_input(n, 0, "input")
    cache = n.input(2)
    for i, what in ((2, "cos_cache"), (3, "sin_cache")):
        same_type(n, x, n.input(i), what)
    if cache.rank != 2 or n.input(3).shape != cache.shape:
        raise n.unsupported("cos_cache and sin_cache must be 2-D of the same shape", "shape")
    if x.rank not in (3, 4):
        raise n.unsupported(f"input of rank {x.rank} (3-D or 4-D only)", "shape")
    seq = x.shape[1] if x.rank == 3 else x.shape[2]
    hidden = x.shape[2] if x.rank == 3 else x.shape[1] * x.shape[3]
    rotary_dim = int(n.attr("rotary_embedding_dim", 0))
    num_heads = int(n.attr("num_heads", 0))
    if rotary_dim > 0 and num_heads <= 0:
        raise n.unsupported("rotary_embedding_dim needs num_heads")
    head = 2 * cache.shape[1] if rotary_dim == 0 else hidden // max(num_heads, 1)
    num_heads = num_heads or hidden // head
    if num_heads * head != hidden or (x.rank == 4 and x.shape[3] != head):
        raise n.unsupported(f"head size {head} and {num_heads} heads do not match the input "
                            f"shape {list(x.shape)}", "shape")
    rotary_dim = check_rotary_dim(n, rotary_dim or head, head)
    if seq > cache.shape[0]:
        raise n.unsupported(f"sequence length {seq} exceeds the {cache.shape[0]} cache rows "
                            "(cache updates are not implemented)", "shape")
    ids_const = n.const(1)  # folded into the gather when constant
    ids = n.input(1) if ids_const is None else None
    ids_type = ids.data_type if ids is not None else str(ids_const.dtype)
    ids_shape = tuple(ids.shape if ids is not None else ids_const.shape)
    if ids_type != "int64":
        raise n.unsupported(f"position_ids type {ids_type} (int64 only)", "dtype")
    if math.prod(ids_shape) == 1:  # a start offset: positions p0 + [0, S)
        steps = np.arange(seq, dtype=np.int64).reshape(1, seq)
        if ids is None:
            positions = int(ids_const.reshape(-1)[0]) + steps
        else:
            positions = n.b.add(n.b.reshape(ids, [1, 1]), n.constant(steps))
    elif ids_shape == (x.shape[0], seq):
        positions = ids if ids is not None else ids_const
    else:
        raise n.unsupported(f"position_ids shape {list(ids_shape)} (expected [1] or "
                            f"[{x.shape[0]}, {seq}])", "shape")
    cos = gather_table(n, 2, positions, "cos_cache")
    sin = gather_table(n, 3, positions, "sin_cache")
    return [rope(n, x, cos, sin, num_heads, rotary_dim)]
