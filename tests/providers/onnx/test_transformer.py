"""Transformer-block ops (RMSNormalization, RotaryEmbedding, Attention, and ONNX Runtime's
SimplifiedLayerNormalization, Skip(Simplified)LayerNormalization, com.microsoft
RotaryEmbedding, MatMulNBits) through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import math

import numpy as np
import onnx
import pytest
from onnx import helper
from webnn_providers.onnx import from_onnx_model, run_graph

from tests.helpers import BACKENDS, context
from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)
TOL = {"rtol": 1e-4, "atol": 1e-5}  # reductions / matmuls
F16 = {"rtol": 2e-3, "atol": 2e-3}
MS = "com.microsoft"


def _x(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _model(nodes, inputs, outputs, inits=None, opset=23):
    """make_model plus the com.microsoft opset import (ORT's contrib ops)."""
    model = make_model(nodes, inputs, outputs, inits, opset=opset)
    model.opset_import.append(helper.make_opsetid(MS, 1))
    return model


def _typed(model, **values):
    """Declare intermediate values (ONNX shape inference does not know the contrib ops,
    ORT tells its EPs): ``name=(dtype, shape)``."""
    for name, (dtype, shape) in values.items():
        model.graph.value_info.append(helper.make_tensor_value_info(
            name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)), shape))
    return model


def _refused(model, *words, index=0):
    verdict = node_verdict(model, index=index)
    assert not verdict.supported
    for word in words:
        assert word in verdict.reason, verdict.reason
    return verdict


# -- RMSNormalization -------------------------------------------------------------------
@pytest.mark.parametrize("shape,axis,scale_shape", [
    ((2, 3, 8), -1, (8,)),
    ((2, 3, 8), 1, (3, 8)),
    ((2, 3, 4, 5), -2, (1, 5)),
    ((4, 6), 0, (4, 6)),
])
def test_rms_normalization(shape, axis, scale_shape):
    x = _x(*shape)
    node = helper.make_node("RMSNormalization", ["x", "s"], ["y"], axis=axis, epsilon=1e-3)
    model = _model([node], {"x": x}, ["y"], {"s": _x(*scale_shape)})
    assert_translation_matches(model, {"x": x}, **TOL)


def test_rms_normalization_runtime_scale_float16_and_chain():
    x, s = _x(2, 5, 16, dtype=np.float16), _x(16, dtype=np.float16)
    nodes = [helper.make_node("RMSNormalization", ["x", "s"], ["n"]),
             helper.make_node("MatMul", ["n", "w"], ["y"])]
    model = _model(nodes, {"x": x, "s": s}, ["y"], {"w": _x(16, 4, dtype=np.float16)})
    assert_translation_matches(model, {"x": x, "s": s}, **F16)


def test_rms_normalization_refusals():
    x = _x(2, 8)
    node = helper.make_node("RMSNormalization", ["x", "s"], ["y"], stash_type=0)
    _refused(_model([node], {"x": x}, ["y"], {"s": _x(8)}), "stash_type")
    node = helper.make_node("RMSNormalization", ["x", "s"], ["y"])
    _refused(_model([node], {"x": x}, ["y"], {"s": _x(8, dtype=np.float16)}), "scale type")


# -- SimplifiedLayerNormalization (ORT, default domain) ---------------------------------
@pytest.mark.parametrize("axis", [-1, 1])
def test_simplified_layer_normalization(axis):
    x = _x(2, 3, 8)
    scale = _x(*x.shape[axis:])
    node = helper.make_node("SimplifiedLayerNormalization", ["x", "s"], ["y", "inv"],
                            axis=axis, epsilon=1e-4)
    model = _model([node], {"x": x}, ["y", "inv"], {"s": scale}, opset=21)
    assert_translation_matches(model, {"x": x}, **TOL)


def test_simplified_layer_normalization_float16_chain():
    x = _x(3, 32, dtype=np.float16)
    nodes = [helper.make_node("SimplifiedLayerNormalization", ["x", "s"], ["n"]),
             helper.make_node("Add", ["n", "x"], ["y"])]
    model = _model(nodes, {"x": x}, ["y"], {"s": _x(32, dtype=np.float16)}, opset=21)
    _typed(model, n=(np.float16, x.shape))
    assert_translation_matches(model, {"x": x}, **F16)


def test_simplified_layer_normalization_refusal():
    node = helper.make_node("SimplifiedLayerNormalization", ["x", "s"], ["y"], stash_type=0)
    _refused(_model([node], {"x": _x(2, 4)}, ["y"], {"s": _x(4)}, opset=21), "stash_type")


# -- SkipLayerNormalization / SkipSimplifiedLayerNormalization --------------------------
def _skip_ln(op, x, skip_shape, gamma=True, beta=False, bias=False, outputs=("y",),
             runtime_skip=True, **attrs):
    hidden = x.shape[-1]
    inits = {"g": _x(hidden)}
    inputs = {"x": x}
    names = ["x", "k", "g"]
    skip = _x(*skip_shape, dtype=x.dtype)
    if runtime_skip:
        inputs["k"] = skip
    else:
        inits["k"] = skip
    if op == "SkipLayerNormalization":
        names += ["be" if beta else "", "bi" if bias else ""]
    else:
        names += ["bi" if bias else ""]
    if beta:
        inits["be"] = _x(hidden)
    if bias:
        inits["bi"] = _x(hidden)
    inits = {k: v.astype(x.dtype) for k, v in inits.items()}
    while names[-1] == "":
        names.pop()
    node = helper.make_node(op, names, list(outputs), domain=MS, **attrs)
    return _model([node], inputs, [o for o in outputs if o], inits), inputs


@pytest.mark.parametrize("op", ["SkipLayerNormalization", "SkipSimplifiedLayerNormalization"])
@pytest.mark.parametrize("skip_shape,beta,bias", [
    ((2, 3, 16), False, False),
    ((2, 3, 16), True, True),
    ((1, 3, 16), False, True),
    ((3, 16), True, False),
])
def test_skip_layer_normalization(op, skip_shape, beta, bias):
    x = _x(2, 3, 16)
    if op == "SkipSimplifiedLayerNormalization":
        beta = False
    model, inputs = _skip_ln(op, x, skip_shape, beta=beta, bias=bias, epsilon=1e-5)
    assert_translation_matches(model, inputs, **TOL)


@pytest.mark.parametrize("op,outputs", [
    ("SkipLayerNormalization", ("y", "mean", "inv", "sum")),
    ("SkipLayerNormalization", ("y", "", "", "sum")),
    ("SkipLayerNormalization", ("y", "mean")),
    ("SkipSimplifiedLayerNormalization", ("y", "", "inv", "sum")),
    ("SkipSimplifiedLayerNormalization", ("y", "", "", "sum")),
])
def test_skip_layer_normalization_extra_outputs(op, outputs):
    x = _x(4, 32)  # 2-D input (token_count, hidden)
    model, inputs = _skip_ln(op, x, (4, 32), bias=True, outputs=outputs)
    assert_translation_matches(model, inputs, **TOL)


@pytest.mark.parametrize("op", ["SkipLayerNormalization", "SkipSimplifiedLayerNormalization"])
def test_skip_layer_normalization_float16_chain(op):
    x = _x(1, 4, 64, dtype=np.float16)
    model, inputs = _skip_ln(op, x, (1, 4, 64), bias=True, outputs=("n", "", "", "sum"),
                             runtime_skip=False)
    nodes = list(model.graph.node) + [helper.make_node("Mul", ["n", "sum"], ["y"])]
    model = _model(nodes, inputs, ["y"], {i.name: onnx.numpy_helper.to_array(i)
                                          for i in model.graph.initializer})
    _typed(model, n=(np.float16, x.shape), sum=(np.float16, x.shape))
    assert_translation_matches(model, inputs, **F16)


def test_skip_simplified_mean_output_is_refused():
    model, _ = _skip_ln("SkipSimplifiedLayerNormalization", _x(2, 8), (2, 8),
                        outputs=("y", "mean"))
    _refused(model, "mean output")
    model, _ = _skip_ln("SkipLayerNormalization", _x(2, 8), (3, 8))
    _refused(model, "broadcastable")


# -- RotaryEmbedding (ai.onnx 23) -------------------------------------------------------
def _rope_tables(rows, half, dtype=np.float32):
    theta = rng.uniform(0, 2 * math.pi, (rows, half))
    return np.cos(theta).astype(dtype), np.sin(theta).astype(dtype)


@pytest.mark.parametrize("rank", [3, 4])
@pytest.mark.parametrize("interleaved", [0, 1])
@pytest.mark.parametrize("rotary_dim", [0, 4])
@pytest.mark.parametrize("ids", ["runtime", "constant", None])
def test_rotary_embedding(rank, interleaved, rotary_dim, ids):
    batch, heads, seq, head = 2, 3, 5, 8
    x = _x(batch, heads, seq, head) if rank == 4 else _x(batch, seq, heads * head)
    half = (rotary_dim or head) // 2
    inputs, inits = {"x": x}, {}
    if ids is None:
        cos, sin = (t.reshape(batch, seq, half) for t in _rope_tables(batch * seq, half))
        names = ["x", "c", "s"]
    else:
        cos, sin = _rope_tables(16, half)
        pos = rng.integers(0, 16, (batch, seq)).astype(np.int64)
        (inputs if ids == "runtime" else inits)["p"] = pos
        names = ["x", "c", "s", "p"]
    inits.update({"c": cos, "s": sin})
    attrs = {"interleaved": interleaved, "rotary_embedding_dim": rotary_dim}
    if rank == 3:
        attrs["num_heads"] = heads
    node = helper.make_node("RotaryEmbedding", names, ["y"], **attrs)
    assert_translation_matches(_model([node], inputs, ["y"], inits), inputs)


def test_rotary_embedding_runtime_caches_float16_chain():
    x = _x(1, 2, 4, 8, dtype=np.float16)
    cos, sin = (t.reshape(1, 4, 4) for t in _rope_tables(4, 4, np.float16))
    nodes = [helper.make_node("RotaryEmbedding", ["x", "c", "s"], ["r"], interleaved=1),
             helper.make_node("Transpose", ["r"], ["y"], perm=[0, 2, 1, 3])]
    inputs = {"x": x, "c": cos, "s": sin}
    assert_translation_matches(_model(nodes, inputs, ["y"]), inputs, **F16)


def test_rotary_embedding_refusals():
    x = _x(1, 2, 4, 8)
    cos, sin = _rope_tables(4, 2)
    node = helper.make_node("RotaryEmbedding", ["x", "c", "s", "p"], ["y"],
                            rotary_embedding_dim=5)
    inits = {"c": cos, "s": sin, "p": np.zeros((1, 4), np.int64)}
    _refused(_model([node], {"x": x}, ["y"], inits), "rotary_embedding_dim 5")
    node = helper.make_node("RotaryEmbedding", ["x", "c", "s", "p"], ["y"])
    _refused(_model([node], {"x": x}, ["y"], inits), "rotary_embedding_dim / 2")


# -- RotaryEmbedding (com.microsoft) ----------------------------------------------------
@pytest.mark.parametrize("rank", [3, 4])
@pytest.mark.parametrize("interleaved", [0, 1])
@pytest.mark.parametrize("ids", ["offset", "offset-constant", "per-token"])
@pytest.mark.parametrize("rotary_dim", [0, 4])
def test_rotary_embedding_ms(rank, interleaved, ids, rotary_dim):
    batch, heads, seq, head = 2, 2, 3, 8
    x = _x(batch, heads, seq, head) if rank == 4 else _x(batch, seq, heads * head)
    cos, sin = _rope_tables(12, (rotary_dim or head) // 2)
    inputs, inits = {"x": x}, {"c": cos, "s": sin}
    if ids == "per-token":
        inputs["p"] = rng.integers(0, 12, (batch, seq)).astype(np.int64)
    else:
        (inits if ids == "offset-constant" else inputs)["p"] = np.array([4], np.int64)
    attrs = {"interleaved": interleaved}
    if rotary_dim:
        attrs.update(rotary_embedding_dim=rotary_dim, num_heads=heads)
    node = helper.make_node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain=MS,
                            **attrs)
    assert_translation_matches(_model([node], inputs, ["y"], inits), inputs)


def test_rotary_embedding_ms_refusals():
    x = _x(1, 3, 8)
    cos, sin = _rope_tables(2, 4)
    inits = {"c": cos, "s": sin, "p": np.array([0], np.int64)}
    node = helper.make_node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain=MS)
    _refused(_model([node], {"x": x}, ["y"], inits), "exceeds the 2 cache rows")
    node = helper.make_node("RotaryEmbedding", ["x", "p", "c", "s"], ["y"], domain=MS,
                            is_packed_batching=1)
    _refused(_model([node], {"x": x}, ["y"], inits), "is_packed_batching")


# -- Attention --------------------------------------------------------------------------
def _attention(q, k, v, mask=None, past=None, outputs=("y",), nonpad=None, opset=23,
               **attrs):
    inputs = {"q": q, "k": k, "v": v}
    names = ["q", "k", "v"]
    if mask is not None or past is not None or nonpad is not None:
        names.append("m" if mask is not None else "")
        if mask is not None:
            inputs["m"] = mask
    if past is not None:
        names += ["pk", "pv"]
        inputs.update(pk=past[0], pv=past[1])
    if nonpad is not None:
        names += ["", "", "np"] if past is None else ["np"]
        inputs["np"] = nonpad
    node = helper.make_node("Attention", names, list(outputs), **attrs)
    return _model([node], inputs, [o for o in outputs if o], opset=opset), inputs


ATTN_CASES = {
    "mha": dict(),
    "gqa": dict(kv_heads=2),
    "mqa": dict(kv_heads=1),
    "cross": dict(kv_len=7),
    "diff_v": dict(v_head=6),
    "scaled": dict(scale=0.3),
    "causal": dict(is_causal=1),
    "causal_cross": dict(is_causal=1, kv_len=7),
    "softcap": dict(softcap=2.0),
    "bool_mask_2d": dict(mask="bool", mask_shape=(5, 5)),
    "bool_mask_4d": dict(mask="bool", mask_shape=(2, 4, 5, 5)),
    "float_mask_3d": dict(mask="float", mask_shape=(4, 5, 5)),
    "float_mask_causal": dict(mask="float", mask_shape=(5, 5), is_causal=1),
    "bool_mask_causal": dict(mask="bool", mask_shape=(1, 1, 5, 5), is_causal=1),
    "past": dict(past=3, mask="float", mask_shape=(5, 8)),
    "past_gqa_causal": dict(past=3, kv_heads=2, is_causal=1),
    "past_bool": dict(past=2, mask="bool", mask_shape=(2, 1, 5, 7)),
}


def _attention_case(rank, batch=2, heads=4, q_len=5, kv_len=None, head=8, v_head=None,
                    kv_heads=None, mask=None, mask_shape=None, past=None,
                    dtype=np.float32, **attrs):
    kv_len = kv_len or q_len
    kv_heads = kv_heads or heads
    v_head = v_head or head
    q = _x(batch, heads, q_len, head, dtype=dtype)
    k = _x(batch, kv_heads, kv_len, head, dtype=dtype)
    v = _x(batch, kv_heads, kv_len, v_head, dtype=dtype)
    if rank == 3:
        q, k, v = (t.transpose(0, 2, 1, 3).reshape(t.shape[0], t.shape[2], -1)
                   for t in (q, k, v))
        attrs.update(q_num_heads=heads, kv_num_heads=kv_heads)
    m = None
    if mask == "bool":
        m = rng.random(mask_shape) > 0.3
        m[..., 0] = True  # every row attends something
    elif mask == "float":
        m = _x(*mask_shape, dtype=dtype)
    past_kv = None
    outputs = ("y",)
    if past:
        past_kv = (_x(batch, kv_heads, past, head, dtype=dtype),
                   _x(batch, kv_heads, past, v_head, dtype=dtype))
        outputs = ("y", "pk_out", "pv_out")
    return _attention(q, k, v, m, past_kv, outputs, **attrs)


@pytest.mark.parametrize("rank", [3, 4])
@pytest.mark.parametrize("case", list(ATTN_CASES))
def test_attention(rank, case):
    model, inputs = _attention_case(rank, **ATTN_CASES[case])
    assert_translation_matches(model, inputs, **TOL)


@pytest.mark.parametrize("case", ["mha", "gqa", "causal", "past_gqa_causal"])
def test_attention_float16(case):
    model, inputs = _attention_case(4, dtype=np.float16, **ATTN_CASES[case])
    assert_translation_matches(model, inputs, rtol=5e-3, atol=5e-3)


@pytest.mark.parametrize("mode", [0, 1, 2, 3])
def test_attention_qk_matmul_output(mode):
    q, k, v = _x(1, 2, 3, 4), _x(1, 2, 5, 4), _x(1, 2, 5, 4)
    mask = _x(3, 5)
    model, inputs = _attention(q, k, v, mask, outputs=("y", "", "", "qk"),
                               qk_matmul_output_mode=mode)
    assert_translation_matches(model, inputs, **TOL)


def test_attention_opset24_causal_past_and_chain():
    q, k, v = _x(1, 2, 3, 8), _x(1, 2, 3, 8), _x(1, 2, 3, 8)
    past = (_x(1, 2, 4, 8), _x(1, 2, 4, 8))
    model, inputs = _attention(q, k, v, None, past, ("a", "pk_out", "pv_out"), opset=24,
                               is_causal=1)
    nodes = list(model.graph.node) + [helper.make_node("Relu", ["a"], ["y"])]
    model = _model(nodes, inputs, ["y", "pk_out", "pv_out"], opset=24)
    _typed(model, a=(np.float32, q.shape))
    assert_translation_matches(model, inputs, **TOL)


def test_attention_refusals():
    q = _x(1, 2, 3, 4)
    model, _ = _attention(q, q, q, softcap=-1.0)
    _refused(model, "softcap")
    model, _ = _attention(q, q, q, softmax_precision=11)
    _refused(model, "softmax_precision 11")
    q3 = _x(1, 3, 8)
    model, _ = _attention(q3, q3, q3)
    _refused(model, "q_num_heads and kv_num_heads")
    model, _ = _attention(q, q, q, _x(3, 3).astype(np.int32))
    _refused(model, "attn_mask type int32")
    model, _ = _attention(q, q, q, outputs=("y", "", "", "qk"), softcap=2.0)
    _refused(model, "mode 0 with softcap")


def test_attention_fully_masked_rows_are_zero():
    q, k, v = _x(1, 2, 3, 4), _x(1, 2, 5, 4), _x(1, 2, 5, 4)
    mask = rng.random((3, 5)) > 0.5
    mask[1, :] = False
    model, inputs = _attention(q, k, v, mask, outputs=("y", "", "", "qk"),
                               qk_matmul_output_mode=3)
    assert_translation_matches(model, inputs, **TOL)


def test_attention_opset24_nonpad_kv_seqlen():
    q, k, v = _x(2, 2, 3, 4), _x(2, 2, 6, 4), _x(2, 2, 6, 4)
    for causal in (0, 1):
        model, inputs = _attention(q, k, v, nonpad=np.array([4, 6], np.int64), opset=24,
                                   is_causal=causal)
        assert_translation_matches(model, inputs, **TOL)


# -- MatMulNBits ------------------------------------------------------------------------
def _quantize(n, k, bits, block, zero_points):
    """Random packed weights, scales and zero points in MatMulNBits' layout."""
    blocks = -(-k // block)
    q = rng.integers(0, 2 ** bits, (n, blocks * block)).astype(np.uint8)
    per_byte = 8 // bits
    grouped = q.reshape(n, blocks, block // per_byte, per_byte).astype(np.uint16)
    packed = sum(grouped[..., i] << (bits * i) for i in range(per_byte)).astype(np.uint8)
    scales = rng.uniform(0.01, 0.1, (n, blocks)).astype(np.float32)
    inits = {"B": packed, "scales": scales}
    if zero_points == "packed":
        zp = rng.integers(0, 2 ** bits, (n, -(-blocks // per_byte) * per_byte)).astype(np.uint8)
        zp = zp.reshape(n, -1, per_byte).astype(np.uint16)
        inits["zp"] = sum(zp[..., i] << (bits * i) for i in range(per_byte)).astype(np.uint8)
    elif zero_points == "float":
        inits["zp"] = rng.uniform(0, 2 ** bits - 1, (n, blocks)).astype(np.float32)
    return inits


@pytest.mark.parametrize("bits", [4, 8, 2])
@pytest.mark.parametrize("k,block", [(64, 32), (48, 32), (40, 16)])
@pytest.mark.parametrize("zero_points", [None, "packed", "float"])
def test_matmul_nbits(bits, k, block, zero_points):
    n = 24
    a = _x(2, 3, k)
    inits = _quantize(n, k, bits, block, zero_points)
    names = ["a", "B", "scales"] + (["zp"] if zero_points else [])
    node = helper.make_node("MatMulNBits", names, ["y"], domain=MS, K=k, N=n, bits=bits,
                            block_size=block)
    model = _model([node], {"a": a}, ["y"], inits)
    if bits == 8 and zero_points == "float":  # ORT's CPU kernel has no such path
        _matches_dequantized(model, a, inits, bits, block, k)
    else:
        assert_translation_matches(model, {"a": a}, **TOL)


def _matches_dequantized(model, a, inits, bits, block, k):
    """The definition in float64: ``a @ ((q - zero_point) * scale)^T``."""
    packed = inits["B"]
    n = packed.shape[0]
    shifts = np.arange(8 // bits) * bits
    q = ((packed[..., None] >> shifts) & (2 ** bits - 1)).reshape(n, -1, block)
    zp = inits["zp"].astype(np.float64)[..., None]
    w = ((q - zp) * inits["scales"].astype(np.float64)[..., None]).reshape(n, -1)[:, :k]
    want = a.astype(np.float64) @ w.T
    graph = from_onnx_model(model)
    for backend in BACKENDS:
        got = run_graph(context(backend), graph, {"a": a})["y"]
        np.testing.assert_allclose(got, want, err_msg=backend, **TOL)


def test_matmul_nbits_bias_2d_and_chain():
    k, n = 32, 16
    a = _x(5, k)
    inits = _quantize(n, k, 4, 16, "packed")
    inits["bias"] = _x(n)
    nodes = [helper.make_node("MatMulNBits", ["a", "B", "scales", "zp", "", "bias"], ["h"],
                              domain=MS, K=k, N=n, bits=4, block_size=16, accuracy_level=0),
             helper.make_node("Gelu", ["h"], ["y"])]
    model = _typed(_model(nodes, {"a": a}, ["y"], inits), h=(np.float32, (5, n)))
    assert_translation_matches(model, {"a": a}, **TOL)


def test_matmul_nbits_float16():
    k, n = 64, 8
    a = _x(3, k, dtype=np.float16)
    inits = _quantize(n, k, 4, 32, None)
    inits["scales"] = inits["scales"].astype(np.float16)
    node = helper.make_node("MatMulNBits", ["a", "B", "scales"], ["y"], domain=MS, K=k, N=n,
                            bits=4, block_size=32)
    assert_translation_matches(_model([node], {"a": a}, ["y"], inits), {"a": a}, **F16)


def test_matmul_nbits_refusals():
    k, n = 32, 8
    a = _x(2, k)
    inits = _quantize(n, k, 4, 16, None)
    node = helper.make_node("MatMulNBits", ["a", "B", "scales"], ["y"], domain=MS, K=k, N=n,
                            bits=4, block_size=16)
    packed = inits.pop("B")
    model = _model([node], {"a": a, "B": packed}, ["y"], inits)
    _refused(model, "packed weights B (input 1) must be a constant")
    inits["B"] = packed
    node = helper.make_node("MatMulNBits", ["a", "B", "scales"], ["y"], domain=MS, K=k, N=n,
                            bits=3, block_size=16)
    _refused(_model([node], {"a": a}, ["y"], inits), "bits=3")
