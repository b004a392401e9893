"""ONNX transformer-block ops: RMSNormalization, RotaryEmbedding and Attention (ai.onnx 23+),
and the ONNX Runtime contrib ops of the same family that its WebNN EP maps
(SimplifiedLayerNormalization in the default domain; SkipLayerNormalization,
SkipSimplifiedLayerNormalization, RotaryEmbedding and MatMulNBits in "com.microsoft").

Everything is decomposed into WebNN element-wise ops, reductions, slices, gathers, concats
and matmuls following the operator definitions (the ONNX function bodies / reference
implementation, and ONNX Runtime's CPU kernels for the contrib ops):

- statistics of float16 inputs are computed in float32 (``stash_type`` 1 for the ONNX ops;
  ONNX Runtime's kernels always accumulate in float32), then cast back;
- Attention builds the additive bias (mask, causal and sliding-window frontiers, padding)
  as 0 / -inf values, so adding it is exact, and zeroes fully masked query rows as the
  specification requires;
- MatMulNBits dequantizes its constant packed weights at build time into a float WebNN
  constant.
"""

from __future__ import annotations

import math

import numpy as np

import webnn_core as webnn

from ..translator import NodeView, translator
from .matmul import _matmul_nd
from .shape import norm_axis

Operand = webnn.MLOperand
MS = "com.microsoft"
_FLOATS = ("float32", "float16")


# -- helpers ------------------------------------------------------------------------------
def _float_input(n: NodeView, i: int, what: str) -> Operand:
    x = n.input(i)
    if x.data_type not in _FLOATS:
        raise n.unsupported(f"{what} type {x.data_type} (float32/float16 only)", "dtype")
    return x


def _same_type(n: NodeView, x: Operand, other: Operand, what: str) -> None:
    if other.data_type != x.data_type:
        raise n.unsupported(f"{what} type {other.data_type} differs from the input's "
                            f"{x.data_type}", "dtype")


def _f32(n: NodeView, x: Operand) -> Operand:
    return x if x.data_type == "float32" else n.b.cast(x, "float32")


def _to(n: NodeView, x: Operand, data_type: str) -> Operand:
    return x if x.data_type == data_type else n.b.cast(x, data_type)


def _requested(n: NodeView, i: int) -> bool:
    return i < len(n.node.outputs) and n.node.outputs[i] != ""


def _outputs(n: NodeView, results: list) -> list:
    """``results`` trimmed to the node's output count (optional outputs may be absent)."""
    return results[:len(n.node.outputs)]


def _last_axis_vector(n: NodeView, x: Operand, i: int, what: str) -> Operand | None:
    """Optional input ``i``: a 1-D ``[hidden]`` vector of ``x``'s type."""
    if not n.has_input(i):
        return None
    v = n.input(i)
    _same_type(n, x, v, what)
    if v.shape != (x.shape[-1],):
        raise n.unsupported(f"{what} shape {list(v.shape)} must be [{x.shape[-1]}]", "shape")
    return v


def _rms(n: NodeView, x32: Operand, axes: list[int], epsilon: float) -> Operand:
    """``sqrt(mean(x^2) + epsilon)`` over ``axes`` (kept), in float32."""
    mean_square = n.b.reduce_mean(n.b.mul(x32, x32), axes=axes, keep_dimensions=True)
    return n.b.sqrt(n.b.add(mean_square, n.constant(epsilon, "float32")))


def _check_stash_type(n: NodeView) -> None:
    if int(n.attr("stash_type", 1)) != 1:
        raise n.unsupported(f"stash_type={n.attr('stash_type')} (only float32 statistics, 1)")


# -- RMSNormalization / SimplifiedLayerNormalization -------------------------------------
@translator("RMSNormalization", since=23)
def rms_normalization(n: NodeView) -> list:
    """ONNX RMSNormalization (23), by its function body: ``X`` cast to float32
    (``stash_type`` 1), ``Normalized = X / sqrt(ReduceMean(X * X, axes) + epsilon)`` over
    ``axes = [axis, rank)``, cast back to X's type, then ``Y = Normalized * scale``
    (``scale`` unidirectionally broadcast to X)."""
    _check_stash_type(n)
    x = _float_input(n, 0, "X")
    scale = n.input(1)
    _same_type(n, x, scale, "scale")
    axis = norm_axis(n, n.attr("axis", -1), x.rank)
    x32 = _f32(n, x)
    rms = _rms(n, x32, list(range(axis, x.rank)), float(n.attr("epsilon", 1e-5)))
    y = n.b.mul(_to(n, n.b.div(x32, rms), x.data_type), scale)
    if y.shape != x.shape:
        raise n.unsupported(f"scale shape {list(scale.shape)} does not broadcast to X's "
                            f"{list(x.shape)}", "shape")
    return [y]


@translator("SimplifiedLayerNormalization", since=1)
def simplified_layer_normalization(n: NodeView) -> list:
    """ONNX Runtime's SimplifiedLayerNormalization (default domain, version 1): RMS
    normalization over ``[axis, rank)``, ``Y = X / sqrt(mean(X^2) + epsilon) * scale``,
    computed in float32 and rounded once to X's type, as ONNX Runtime's kernel does. The
    optional ``inv_std_var`` output (float32, the reduced axes kept as 1) is
    ``1 / sqrt(mean(X^2) + epsilon)``."""
    _check_stash_type(n)
    x = _float_input(n, 0, "X")
    scale = n.input(1)
    _same_type(n, x, scale, "scale")
    axis = norm_axis(n, n.attr("axis", -1), x.rank)
    x32 = _f32(n, x)
    rms = _rms(n, x32, list(range(axis, x.rank)), float(n.attr("epsilon", 1e-5)))
    y = n.b.mul(n.b.div(x32, rms), _f32(n, scale))
    if y.shape != x.shape:
        raise n.unsupported(f"scale shape {list(scale.shape)} does not broadcast to X's "
                            f"{list(x.shape)}", "shape")
    inv_std = n.b.reciprocal(rms) if _requested(n, 1) else None
    return _outputs(n, [_to(n, y, x.data_type), inv_std])


# -- SkipLayerNormalization / SkipSimplifiedLayerNormalization (com.microsoft) ------------
def _skip_sum(n: NodeView, bias_index: int) -> tuple[Operand, Operand]:
    """(``input + skip [+ bias]`` in float32, the input operand). ``skip`` broadcasts
    over the leading axes (``[B, S, H]``, ``[1, S, H]`` or ``[S, H]``)."""
    x = _float_input(n, 0, "input")
    if x.rank not in (2, 3):
        raise n.unsupported(f"input of rank {x.rank} (2-D or 3-D only)", "shape")
    skip = n.input(1)
    _same_type(n, x, skip, "skip")
    total = n.b.add(_f32(n, x), _f32(n, skip))
    if total.shape != x.shape:
        raise n.unsupported(f"skip shape {list(skip.shape)} does not broadcast to the "
                            f"input's {list(x.shape)}", "shape")
    bias = _last_axis_vector(n, x, bias_index, "bias")
    if bias is not None:
        total = n.b.add(total, _f32(n, bias))
    return total, x


@translator("SkipLayerNormalization", domain=MS, since=1)
def skip_layer_normalization(n: NodeView) -> list:
    """com.microsoft SkipLayerNormalization (1): ``s = input + skip (+ bias)``, then layer
    normalization of ``s`` over the last axis with ``gamma`` and optional ``beta``
    (inputs: input, skip, gamma, beta, bias). Computed in float32 as ONNX Runtime's kernel
    does. Outputs: ``output``, ``mean`` and ``inv_std_var`` (float32, last axis kept as 1)
    and ``input_skip_bias_sum`` (``s`` in the input's type)."""
    total, x = _skip_sum(n, 4)
    gamma = _last_axis_vector(n, x, 2, "gamma")
    beta = _last_axis_vector(n, x, 3, "beta")
    epsilon = float(n.attr("epsilon", 1e-12))
    last = x.rank - 1
    y = n.b.layer_normalization(total, scale=_f32(n, gamma),
                                bias=None if beta is None else _f32(n, beta), axes=[last],
                                epsilon=epsilon)
    mean = inv_std = None
    if _requested(n, 1) or _requested(n, 2):
        mean = n.b.reduce_mean(total, axes=[last], keep_dimensions=True)
        centered = n.b.sub(total, mean)
        variance = n.b.reduce_mean(n.b.mul(centered, centered), axes=[last],
                                   keep_dimensions=True)
        inv_std = n.b.reciprocal(n.b.sqrt(n.b.add(variance, n.constant(epsilon, "float32"))))
    total_out = _to(n, total, x.data_type) if _requested(n, 3) else None
    return _outputs(n, [_to(n, y, x.data_type), mean if _requested(n, 1) else None,
                        inv_std if _requested(n, 2) else None, total_out])


@translator("SkipSimplifiedLayerNormalization", domain=MS, since=1)
def skip_simplified_layer_normalization(n: NodeView) -> list:
    """com.microsoft SkipSimplifiedLayerNormalization (1): ``s = input + skip (+ bias)``,
    then ``s / sqrt(mean(s^2) + epsilon) * gamma`` over the last axis (inputs: input, skip,
    gamma, bias), in float32 as ONNX Runtime's kernel. Outputs ``inv_std_var`` (index 2)
    and ``input_skip_bias_sum`` (index 3) are supported; ``mean`` (index 1) is refused: an
    RMS normalization has no mean, and the schema does not define its value."""
    if _requested(n, 1):
        raise n.unsupported("the mean output (index 1) is not defined for an RMS "
                            "normalization")
    total, x = _skip_sum(n, 3)
    gamma = _last_axis_vector(n, x, 2, "gamma")
    rms = _rms(n, total, [x.rank - 1], float(n.attr("epsilon", 1e-12)))
    y = n.b.mul(n.b.div(total, rms), _f32(n, gamma))
    inv_std = n.b.reciprocal(rms) if _requested(n, 2) else None
    total_out = _to(n, total, x.data_type) if _requested(n, 3) else None
    return _outputs(n, [_to(n, y, x.data_type), None, inv_std, total_out])


# -- RotaryEmbedding ----------------------------------------------------------------------
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


def _rope(n: NodeView, x: Operand, cos: Operand, sin: Operand, num_heads: int,
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


def _check_rotary_dim(n: NodeView, rotary_dim: int, head: int) -> int:
    if rotary_dim % 2 or not 0 < rotary_dim <= head:
        raise n.unsupported(f"rotary_embedding_dim {rotary_dim} must be even and at most "
                            f"the head size {head}")
    return rotary_dim


def _gather_table(n: NodeView, table_index: int, positions: Operand | np.ndarray,
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
    x = _float_input(n, 0, "X")
    for i, what in ((1, "cos_cache"), (2, "sin_cache")):
        _same_type(n, x, n.input(i), what)
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
    rotary_dim = _check_rotary_dim(n, int(n.attr("rotary_embedding_dim", 0)) or head, head)
    if n.has_input(3):
        ids = n.const(3)
        positions = ids.astype(np.int64) if ids is not None else n.input(3)
        cos = _gather_table(n, 1, positions, "cos_cache")
        sin = _gather_table(n, 2, positions, "sin_cache")
    else:
        cos, sin = n.input(1), n.input(2)
    if cos.rank != 3:
        raise n.unsupported(f"cos/sin of shape {list(cos.shape)} (expected [B, S, dim/2])",
                            "shape")
    return [_rope(n, x, cos, sin, num_heads, rotary_dim)]


@translator("RotaryEmbedding", domain=MS, since=1)
def rotary_embedding_ms(n: NodeView) -> list:
    """com.microsoft RotaryEmbedding (1), as ONNX Runtime's CPU kernel: inputs ``input``
    (``[B, S, hidden]`` or ``[B, heads, S, head]``), ``position_ids`` (one start offset,
    positions ``p0 + s``, or ``[B, S]``), and 2-D ``cos_cache``/``sin_cache`` tables.
    The head size is ``2 * cos_cache.shape[1]`` without ``rotary_embedding_dim``, else
    ``hidden / num_heads``. ``scale`` only affects cache updates ONNX Runtime does not
    implement; ``is_packed_batching`` = 1 is refused."""
    if int(n.attr("is_packed_batching", 0)):
        raise n.unsupported("is_packed_batching=1 (ragged batches) is not supported")
    x = _float_input(n, 0, "input")
    cache = n.input(2)
    for i, what in ((2, "cos_cache"), (3, "sin_cache")):
        _same_type(n, x, n.input(i), what)
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
    rotary_dim = _check_rotary_dim(n, rotary_dim or head, head)
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
    cos = _gather_table(n, 2, positions, "cos_cache")
    sin = _gather_table(n, 3, positions, "sin_cache")
    return [_rope(n, x, cos, sin, num_heads, rotary_dim)]


# -- Attention ----------------------------------------------------------------------------
_SOFTMAX_PRECISION = {1: "float32", 10: "float16"}


def _split_heads(n: NodeView, x: Operand, heads: int, what: str) -> Operand:
    """``[B, S, heads * D]`` -> ``[B, heads, S, D]``."""
    if heads <= 0 or x.shape[2] % heads:
        raise n.unsupported(f"{what} hidden size {x.shape[2]} is not a multiple of {heads} "
                            "heads", "shape")
    x = n.b.reshape(x, [x.shape[0], x.shape[1], heads, x.shape[2] // heads])
    return n.b.transpose(x, permutation=[0, 2, 1, 3])


def _repeat_heads(n: NodeView, x: Operand, repeats: int) -> Operand:
    """Each head repeated ``repeats`` times in place (``[h0, h0, h1, h1, ...]``)."""
    if repeats == 1:
        return x
    b, h, s, d = x.shape
    x = n.b.expand(n.b.reshape(x, [b, h, 1, s, d]), [b, h, repeats, s, d])
    return n.b.reshape(x, [b, h * repeats, s, d])


def _allowed_to_bias(n: NodeView, allowed: Operand, dtype: str) -> Operand:
    """A 0/1 uint8 condition -> an additive 0 / -inf bias."""
    return n.b.where(allowed, n.constant(0.0, dtype), n.constant(-np.inf, dtype))


class _Bias:
    """The additive attention bias, folded in numpy while everything is constant."""

    def __init__(self, n: NodeView, q_len: int, total: int, dtype: str) -> None:
        self.n = n
        self.dtype = dtype
        self.np_dtype = np.float16 if dtype == "float16" else np.float32
        self.const = np.zeros((q_len, total), self.np_dtype)
        self.parts: list[Operand] = []

    def add_allowed(self, allowed: np.ndarray) -> None:
        self.const = self.const + np.where(allowed, 0, -np.inf).astype(self.np_dtype)

    def add(self, part: Operand) -> None:
        self.parts.append(part)

    def is_zero(self) -> bool:
        return not self.parts and not self.const.any()

    def operand(self) -> Operand:
        """The bias as an operand (the constant part last)."""
        n = self.n
        result = None
        for part in self.parts:
            result = part if result is None else n.b.add(result, part)
        if self.const.any() or result is None:
            c = n.constant(self.const)
            result = c if result is None else n.b.add(result, c)
        return result

    def masked_rows(self, bias: Operand) -> Operand | None:
        """uint8 ``[..., q, 1]``: rows whose bias is -inf everywhere (None when no row can
        be, which is known when the bias is constant)."""
        n = self.n
        if not self.parts:
            rows = np.isneginf(self.const.max(axis=-1, keepdims=True))
            return n.constant(rows.astype(np.uint8)) if rows.any() else None
        # reduce "is any key allowed" rather than the bias itself: the OpenVINO backend's
        # reduce_max of an all -inf row is -FLT_MAX, not -inf
        allowed = n.b.cast(n.b.not_equal(bias, n.constant(-np.inf, self.dtype)), self.dtype)
        any_allowed = n.b.reduce_max(allowed, axes=[bias.rank - 1], keep_dimensions=True)
        return n.b.equal(any_allowed, n.constant(0.0, self.dtype))


def _frontiers(n: NodeView, q_len: int, total: int, offset: int | None,
               nonpad: Operand | None, causal: bool, left: int, right: int,
               bias: _Bias) -> None:
    """The causal (``j <= i + offset``) and sliding-window (``p - left <= j <= p +
    right``, ``p = i + offset``) frontiers. ``offset`` is the past length, or per batch
    ``nonpad_kv_seqlen - q_len`` (``offset`` None) for an external cache."""
    i = np.arange(q_len).reshape(q_len, 1)
    j = np.arange(total).reshape(1, total)
    if nonpad is None:
        diff = i + offset - j
        allowed = np.ones((q_len, total), bool)
        if causal:
            allowed &= diff >= 0
        if left >= 0:
            allowed &= diff <= left
        if right >= 0:
            allowed &= -diff <= right
        bias.add_allowed(allowed)
        return
    b = n.b
    conditions = []
    base = (j - i + q_len).astype(np.int64).reshape(1, 1, q_len, total)
    if causal:  # j - i + q_len <= nonpad
        conditions.append(b.lesser_or_equal(n.constant(base), nonpad))
    if left >= 0:  # nonpad <= left + q_len + j - i
        conditions.append(b.lesser_or_equal(nonpad, n.constant(base + left)))
    if right >= 0:  # j - i + q_len - right <= nonpad
        conditions.append(b.lesser_or_equal(n.constant(base - right), nonpad))
    for condition in conditions:
        bias.add(_allowed_to_bias(n, condition, bias.dtype))


def _mask_bias(n: NodeView, total: int, dtype: str) -> Operand:
    """The ``attn_mask`` input as an additive bias (bool: True -> 0, False -> -inf; float:
    as is), its last axis padded with -inf up to the total sequence length."""
    mask = n.input(3)
    if n.is_bool(3):
        mask = _allowed_to_bias(n, mask, dtype)
    elif mask.data_type == "float16" and dtype == "float32":
        mask = n.b.cast(mask, "float32")  # exact
    elif mask.data_type != dtype:
        raise n.unsupported(f"attn_mask type {mask.data_type} (bool or the query's "
                            f"{dtype} only)", "dtype")
    if mask.rank == 0:
        mask = n.b.reshape(mask, [1])
    last = mask.shape[-1]
    if last < total:
        zeros = [0] * mask.rank
        mask = n.b.pad(mask, zeros, zeros[:-1] + [total - last], value=-np.inf)
    elif last != total and last != 1:
        raise n.unsupported(f"attn_mask last dimension {last} exceeds the total sequence "
                            f"length {total}", "shape")
    return mask


@translator("Attention", since=23)
def attention(n: NodeView) -> list:
    """ONNX Attention (23; 24 adds ``nonpad_kv_seqlen``, an external-cache padding length
    that also sets a per-batch causal offset; 25 adds ``left_window_size`` /
    ``right_window_size``), as the reference implementation computes it:

    ``Y = softmax(softcap(Q*sqrt(s) @ (K*sqrt(s))^T) + bias) @ V`` per head, with 3-D
    inputs split into ``q_num_heads`` / ``kv_num_heads`` heads, K/V heads repeated for
    grouped-query attention, ``past_key``/``past_value`` concatenated in front of K/V
    (``present_key``/``present_value`` outputs), and the bias summing the mask (bool ->
    0/-inf, float as is, padded with -inf), the bottom-right causal frontier and the
    window. Rows whose bias is -inf everywhere give zeros. ``softmax_precision`` casts the
    softmax input; ``qk_matmul_output`` is emitted for every mode (0: the raw scores,
    refused with a softcap, where the reference emits the softcapped ones and ONNX Runtime
    the raw ones; 1: after the softcap; 2: plus the bias; 3: the softmax).
    """
    b = n.b
    q = _float_input(n, 0, "Q")
    k, v = n.input(1), n.input(2)
    dtype = q.data_type
    _same_type(n, q, k, "K")
    _same_type(n, q, v, "V")
    rank = q.rank
    if rank not in (3, 4) or k.rank != rank or v.rank != rank:
        raise n.unsupported(f"Q/K/V ranks {q.rank}/{k.rank}/{v.rank} (all 3-D or all 4-D)",
                            "shape")
    q_heads_attr, kv_heads_attr = n.attr("q_num_heads"), n.attr("kv_num_heads")
    if rank == 3:
        if q_heads_attr is None or kv_heads_attr is None:
            raise n.unsupported("3-D inputs need q_num_heads and kv_num_heads")
        q = _split_heads(n, q, int(q_heads_attr), "Q")
        k = _split_heads(n, k, int(kv_heads_attr), "K")
        v = _split_heads(n, v, int(kv_heads_attr), "V")
    elif (q_heads_attr is not None and int(q_heads_attr) != q.shape[1]) or (
            kv_heads_attr is not None and int(kv_heads_attr) != k.shape[1]):
        raise n.unsupported("q_num_heads/kv_num_heads differ from the 4-D inputs' heads")
    batch, q_heads, q_len, head = q.shape
    kv_heads, kv_len = k.shape[1], k.shape[2]
    if (k.shape[0] != batch or v.shape[0] != batch or k.shape[3] != head
            or v.shape[1:3] != (kv_heads, kv_len) or q_heads % kv_heads):
        raise n.unsupported(f"incompatible Q/K/V shapes {list(q.shape)}, {list(k.shape)}, "
                            f"{list(v.shape)}", "shape")
    # KV cache ----------------------------------------------------------------------------
    if n.has_input(4) != n.has_input(5):
        raise n.unsupported("past_key and past_value must be given together")
    past = 0
    if n.has_input(4):
        past_k, past_v = n.input(4), n.input(5)
        _same_type(n, q, past_k, "past_key")
        _same_type(n, q, past_v, "past_value")
        if past_k.rank != 4 or past_v.rank != 4:
            raise n.unsupported("past_key/past_value must be 4-D", "shape")
        past = past_k.shape[2]
        k, v = b.concat([past_k, k], 2), b.concat([past_v, v], 2)
    total = k.shape[2]
    nonpad = None
    if n.has_input(6):
        if past:
            raise n.unsupported("nonpad_kv_seqlen cannot be combined with past_key")
        nonpad = n.input(6)
        if nonpad.data_type != "int64" or nonpad.shape != (batch,):
            raise n.unsupported(f"nonpad_kv_seqlen must be int64 [{batch}]", "shape")
        nonpad = b.reshape(nonpad, [batch, 1, 1, 1])
    # attributes --------------------------------------------------------------------------
    softcap = float(n.attr("softcap", 0.0))
    if softcap < 0:
        raise n.unsupported(f"softcap {softcap} < 0")
    mode = int(n.attr("qk_matmul_output_mode", 0))
    if mode not in (0, 1, 2, 3):
        raise n.unsupported(f"qk_matmul_output_mode {mode}")
    if mode == 0 and softcap > 0 and _requested(n, 3):
        raise n.unsupported("qk_matmul_output mode 0 with softcap: the ONNX reference emits "
                            "the softcapped scores, ONNX Runtime the raw ones")
    precision = n.attr("softmax_precision")
    softmax_type = dtype
    if precision is not None:
        if int(precision) not in _SOFTMAX_PRECISION:
            raise n.unsupported(f"softmax_precision {precision} (float32/float16 only)",
                                "dtype")
        softmax_type = _SOFTMAX_PRECISION[int(precision)]
    left, right = int(n.attr("left_window_size", -1)), int(n.attr("right_window_size", -1))
    if left < -1 or right < -1:
        raise n.unsupported(f"window sizes {left}/{right} (-1 or nonnegative)")
    scale = n.attr("scale")
    scale = 1.0 / math.sqrt(head) if scale is None else float(scale)
    if scale < 0:
        raise n.unsupported(f"scale {scale} < 0 (scaled as sqrt(scale) on Q and K)")
    # scores ------------------------------------------------------------------------------
    root = n.constant(np.sqrt(np.float64(scale)), dtype)
    repeats = q_heads // kv_heads
    k_all, v_all = _repeat_heads(n, k, repeats), _repeat_heads(n, v, repeats)
    scores = b.matmul(b.mul(q, root),
                      b.transpose(b.mul(k_all, root), permutation=[0, 1, 3, 2]))
    if softcap > 0:
        cap = n.constant(softcap, dtype)
        scores = b.mul(b.tanh(b.div(scores, cap)), cap)
    # bias --------------------------------------------------------------------------------
    bias = _Bias(n, q_len, total, dtype)
    if n.has_input(3):
        bias.add(_mask_bias(n, total, dtype))
    causal = bool(n.attr("is_causal", 0))
    if causal or left >= 0 or right >= 0:
        _frontiers(n, q_len, total, past if nonpad is None else None, nonpad, causal, left,
                   right, bias)
    if nonpad is not None:  # padding: key j is valid when j < nonpad_kv_seqlen
        keys = n.constant(np.arange(total, dtype=np.int64).reshape(1, 1, 1, total))
        bias.add(_allowed_to_bias(n, b.lesser(keys, nonpad), dtype))
    masked = None
    logits = scores
    if not bias.is_zero():
        bias_operand = bias.operand()
        logits = b.add(scores, bias_operand)
        masked = bias.masked_rows(bias_operand)
    probs = b.softmax(_to(n, logits, softmax_type), 3)
    if masked is not None:
        probs = b.where(masked, n.constant(0.0, softmax_type), probs)
    probs = _to(n, probs, dtype)
    y = b.matmul(probs, v_all)
    if rank == 3:
        y = b.reshape(b.transpose(y, permutation=[0, 2, 1, 3]),
                      [batch, q_len, q_heads * v.shape[3]])
    qk_out = None
    if _requested(n, 3):
        qk_out = {0: scores, 1: scores, 2: logits, 3: probs}[mode]  # 0: no softcap here
    return _outputs(n, [y, k if _requested(n, 1) else None, v if _requested(n, 2) else None,
                        qk_out])


# -- MatMulNBits (com.microsoft) ----------------------------------------------------------
def _unpack(packed: np.ndarray, bits: int) -> np.ndarray:
    """uint8 bytes -> their ``8 / bits`` values each, low bits first (last axis grows)."""
    per_byte = 8 // bits
    shifts = (np.arange(per_byte, dtype=np.uint8) * bits).astype(np.uint8)
    values = (packed[..., None] >> shifts) & np.uint8((1 << bits) - 1)
    return values.reshape(*packed.shape[:-1], packed.shape[-1] * per_byte)


@translator("MatMulNBits", domain=MS, since=1)
def matmul_nbits(n: NodeView) -> list:
    """com.microsoft MatMulNBits (1): ``Y = A @ dequantize(B)^T (+ bias)`` with ``B``
    the ``[N, K]`` weights quantized block-wise along K to ``bits`` bits (2, 4 or 8,
    packed low bits first into ``[N, k_blocks, block_size * bits / 8]`` bytes),
    ``(q - zero_point) * scale`` per block; zero points are packed uint8 (default
    ``2^(bits-1)``) or unpacked floats. The constant weights are dequantized here in
    numpy (float32, rounded once to A's type) into a WebNN constant; non-constant weights,
    ``g_idx`` and prepacked weights are refused. ``accuracy_level`` only permits lower
    internal precision, so the float computation satisfies every level."""
    a = _float_input(n, 0, "A")
    bits = int(n.attr("bits", 4))
    if bits not in (2, 4, 8):
        raise n.unsupported(f"bits={bits} (2, 4 or 8 only)")
    if int(n.attr("weight_prepacked", 0)):
        raise n.unsupported("prepacked (EP-specific layout) weights are not supported")
    if n.has_input(4):
        raise n.unsupported("g_idx (deprecated act-order group indices) is not supported")
    k_size, n_size = int(n.attr("K")), int(n.attr("N"))
    block = int(n.attr("block_size"))
    if block < 16 or block & (block - 1):
        raise n.unsupported(f"block_size {block} must be a power of two >= 16")
    blocks = -(-k_size // block)
    packed = np.asarray(n.require_const(1, "the packed weights B"))
    scales = np.asarray(n.require_const(2, "the scales"))
    if packed.dtype != np.uint8 or packed.size != n_size * blocks * block * bits // 8:
        raise n.unsupported(f"B of shape {list(packed.shape)} does not hold [{n_size}, "
                            f"{blocks}, {block * bits // 8}] bytes", "shape")
    if scales.size != n_size * blocks:
        raise n.unsupported(f"scales of shape {list(scales.shape)} (expected "
                            f"[{n_size}, {blocks}])", "shape")
    if a.shape[-1] != k_size:
        raise n.unsupported(f"A's last dimension {a.shape[-1]} differs from K={k_size}",
                            "shape")
    q = _unpack(packed.reshape(n_size, blocks, block * bits // 8), bits)  # [N, blocks, bs]
    q = q.reshape(n_size, blocks, block).astype(np.float32)
    scales = scales.reshape(n_size, blocks).astype(np.float32)
    if n.has_input(3):
        zp = np.asarray(n.require_const(3, "the zero points"))
        if zp.dtype == np.uint8:
            per_row = -(-blocks * bits // 8)
            if zp.size != n_size * per_row:
                raise n.unsupported(f"packed zero points of shape {list(zp.shape)} (expected "
                                    f"[{n_size}, {per_row}])", "shape")
            zp = _unpack(zp.reshape(n_size, per_row), bits)[:, :blocks]
        elif zp.size != n_size * blocks:
            raise n.unsupported(f"zero points of shape {list(zp.shape)} (expected "
                                f"[{n_size}, {blocks}])", "shape")
        zp = zp.reshape(n_size, blocks).astype(np.float32)
    else:
        zp = np.full((n_size, blocks), 2 ** (bits - 1), np.float32)
    weights = ((q - zp[..., None]) * scales[..., None]).reshape(n_size, blocks * block)
    weights = np.ascontiguousarray(weights[:, :k_size].T)  # [K, N]
    w = n.constant(weights.astype(np.float16 if a.data_type == "float16" else np.float32))
    y = _matmul_nd(n, a, w)
    if n.has_input(5):
        bias = n.input(5)
        _same_type(n, a, bias, "bias")
        if bias.shape != (n_size,):
            raise n.unsupported(f"bias shape {list(bias.shape)} (expected [{n_size}])",
                                "shape")
        y = n.b.add(y, bias)
    return [y]
