"""ONNX RotaryEmbedding (ai.onnx 23) and the rotation helpers com.microsoft's RotaryEmbedding
shares: rotary position embedding (RoPE) as WebNN slices, multiplications and concats
(WebNN has no rotary operator), following the operator's function body.
"""

from __future__ import annotations

import numpy as np

import webnn_core as webnn

from ..translator import NodeView, translator
from ._common import float_input, same_type

Operand = webnn.MLOperand


def _rotate(n: NodeView, x: Operand, cos: Operand, sin: Operand, rotary_dim: int,
            interleaved: bool) -> Operand:
    """Rotate the first ``rotary_dim`` entries of the last axis of the 4-D ``x`` (the rest
    pass through): pairs ``(x1, x2)`` are the two halves, or the even and odd entries when
    ``interleaved``; ``real = cos*x1 - sin*x2``, ``imag = sin*x1 + cos*x2`` are written
    back to the same places. ``cos``/``sin`` broadcast to ``x1``'s shape."""
    b = n.b
    half = rotary_dim // 2
    lead = list(x.shape[:3])
    zeros = [0, 0, 0]
    if interleaved:
        # WebNN slice sizes are window extents: ``rotary_dim`` entries stepping by 2
        x1 = b.slice(x, zeros + [0], lead + [rotary_dim], strides=[1, 1, 1, 2])
        x2 = b.slice(x, zeros + [1], lead + [rotary_dim - 1], strides=[1, 1, 1, 2])
    else:
        x1 = b.slice(x, zeros + [0], lead + [half])
        x2 = b.slice(x, zeros + [half], lead + [half])
    real = b.sub(b.mul(cos, x1), b.mul(sin, x2))
    imag = b.add(b.mul(sin, x1), b.mul(cos, x2))
    if interleaved:
        pair = [*lead, half, 1]
        rotated = b.reshape(b.concat([b.reshape(real, pair), b.reshape(imag, pair)], 4),
                            lead + [rotary_dim])
        parts = [rotated]
    else:
        parts = [real, imag]
    head = x.shape[3]
    if rotary_dim < head:
        parts.append(b.slice(x, zeros + [rotary_dim], lead + [head - rotary_dim]))
    return b.concat(parts, 3)


def rope(n: NodeView, x: Operand, cos: Operand, sin: Operand, num_heads: int,
          rotary_dim: int) -> Operand:
    """RoPE over a 3-D ``[B, S, hidden]`` (viewed as ``[B, S, num_heads, head]``) or 4-D
    ``[B, heads, S, head]`` input; ``cos``/``sin`` are ``[B or 1, S, rotary_dim / 2]``."""
    if x.rank == 3:
        x4 = n.b.reshape(x, [*x.shape[:2], num_heads, x.shape[2] // num_heads])
        table_shape = [cos.shape[0], cos.shape[1], 1, cos.shape[2]]
    else:
        x4 = x
        table_shape = [cos.shape[0], 1, cos.shape[1], cos.shape[2]]
    if cos.shape[2] != rotary_dim // 2 or sin.shape != cos.shape:
        raise n.unsupported(f"cos/sin shapes {list(cos.shape)}/{list(sin.shape)} do not "
                            f"match rotary_embedding_dim / 2 = {rotary_dim // 2}", "shape")
    cos, sin = n.b.reshape(cos, table_shape), n.b.reshape(sin, table_shape)
    y = _rotate(n, x4, cos, sin, rotary_dim, bool(n.attr("interleaved", 0)))
    if y.shape != x4.shape:
        raise n.unsupported(f"cos/sin shape {list(table_shape)} does not broadcast to the "
                            f"input", "shape")
    return y if x.rank == 4 else n.b.reshape(y, list(x.shape))


def check_rotary_dim(n: NodeView, rotary_dim: int, head: int) -> int:
    if rotary_dim % 2 or not 0 < rotary_dim <= head:
        raise n.unsupported(f"rotary_embedding_dim {rotary_dim} must be even and at most "
                            f"the head size {head}")
    return rotary_dim


def gather_table(n: NodeView, table_index: int, positions: Operand | np.ndarray,
                  what: str) -> Operand:
    """Rows ``positions`` of the 2-D cache ``table_index`` (folded when both are
    constant)."""
    table = n.const(table_index)
    if table is not None and isinstance(positions, np.ndarray):
        if positions.min() < 0 or positions.max() >= table.shape[0]:
            raise n.unsupported(f"position ids out of range for the {what} of "
                                f"{table.shape[0]} rows", "shape")
        return n.constant(table[positions])
    cache = n.input(table_index)
    if cache.rank != 2:
        raise n.unsupported(f"{what} of rank {cache.rank} (2-D with position ids)", "shape")
    if isinstance(positions, np.ndarray):
        positions = n.constant(positions)
    return n.b.gather(cache, positions, axis=0)


@translator("RotaryEmbedding", since=23)
def rotary_embedding(n: NodeView) -> list:
    """ONNX RotaryEmbedding (23): X is ``[B, heads, S, head]`` or ``[B, S, hidden]`` (with
    ``num_heads``); without ``position_ids`` the caches are ``[B, S, rotary_dim / 2]``,
    with them they are ``[max_position, rotary_dim / 2]`` tables gathered at the ids.
    ``rotary_embedding_dim`` (0 = the head size) rotates a leading part of each head."""
    x = float_input(n, 0, "X")
    for i, what in ((1, "cos_cache"), (2, "sin_cache")):
        same_type(n, x, n.input(i), what)
    num_heads = int(n.attr("num_heads", 0))
    if x.rank == 3:
        if num_heads <= 0 or x.shape[2] % num_heads:
            raise n.unsupported(f"num_heads {num_heads} must divide the hidden size "
                                f"{x.shape[2]} of a 3-D input")
        head = x.shape[2] // num_heads
    elif x.rank == 4:
        head = x.shape[3]
    else:
        raise n.unsupported(f"input of rank {x.rank} (3-D or 4-D only)", "shape")
    rotary_dim = check_rotary_dim(n, int(n.attr("rotary_embedding_dim", 0)) or head, head)
    if n.has_input(3):
        ids = n.const(3)
        positions = ids.astype(np.int64) if ids is not None else n.input(3)
        cos = gather_table(n, 1, positions, "cos_cache")
        sin = gather_table(n, 2, positions, "sin_cache")
    else:
        cos, sin = n.input(1), n.input(2)
    if cos.rank != 3:
        raise n.unsupported(f"cos/sin of shape {list(cos.shape)} (expected [B, S, dim/2])",
                            "shape")
    return [rope(n, x, cos, sin, num_heads, rotary_dim)]
