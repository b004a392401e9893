"""ONNX Attention (ai.onnx 23, 24, 25), decomposed into WebNN element-wise ops,
reductions, matmuls and a softmax following the reference implementation: the additive
bias (mask, causal and sliding-window frontiers, padding) is built as 0 / -inf values, so
adding it is exact, and fully masked query rows are zeroed as the specification requires.
"""

from __future__ import annotations

import math

import numpy as np

import webnn_core as webnn

from ..translator import NodeView, translator
from ._common import cast_to, float_input, same_type, trim_outputs

Operand = webnn.MLOperand


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
    q = float_input(n, 0, "Q")
    k, v = n.input(1), n.input(2)
    dtype = q.data_type
    same_type(n, q, k, "K")
    same_type(n, q, v, "V")
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
        same_type(n, q, past_k, "past_key")
        same_type(n, q, past_v, "past_value")
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
    if mode == 0 and softcap > 0 and n.requested(3):
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
    probs = b.softmax(cast_to(n, logits, softmax_type), 3)
    if masked is not None:
        probs = b.where(masked, n.constant(0.0, softmax_type), probs)
    probs = cast_to(n, probs, dtype)
    y = b.matmul(probs, v_all)
    if rank == 3:
        y = b.reshape(b.transpose(y, permutation=[0, 2, 1, 3]),
                      [batch, q_len, q_heads * v.shape[3]])
    qk_out = None
    if n.requested(3):
        qk_out = {0: scores, 1: scores, 2: logits, 3: probs}[mode]  # 0: no softcap here
    return trim_outputs(n, [y, k if n.requested(1) else None,
                            v if n.requested(2) else None, qk_out])
