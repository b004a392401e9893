"""com.microsoft MatMulNBits: a matmul with block-wise 2/4/8-bit quantized constant
weights, dequantized at build time into a float WebNN constant (WebNN has no packed
low-bit types), then WebNN matmul.
"""

from __future__ import annotations

import numpy as np

from ...translator import NodeView, translator
from .._common import float_input, same_type
from ..matmul import matmul_nd
from . import DOMAIN


def _unpack(packed: np.ndarray, bits: int) -> np.ndarray:
    """uint8 bytes -> their ``8 / bits`` values each, low bits first (last axis grows)."""
    per_byte = 8 // bits
    shifts = (np.arange(per_byte, dtype=np.uint8) * bits).astype(np.uint8)
    values = (packed[..., None] >> shifts) & np.uint8((1 << bits) - 1)
    return values.reshape(*packed.shape[:-1], packed.shape[-1] * per_byte)


@translator("MatMulNBits", domain=DOMAIN, since=1)
def matmul_nbits(n: NodeView) -> list:
    """com.microsoft MatMulNBits (1): ``Y = A @ dequantize(B)^T (+ bias)`` with ``B``
    the ``[N, K]`` weights quantized block-wise along K to ``bits`` bits (2, 4 or 8,
    packed low bits first into ``[N, k_blocks, block_size * bits / 8]`` bytes),
    ``(q - zero_point) * scale`` per block; zero points are packed uint8 (default
    ``2^(bits-1)``) or unpacked floats. The constant weights are dequantized here in
    numpy (float32, rounded once to A's type) into a WebNN constant; non-constant weights,
    ``g_idx`` and prepacked weights are refused. ``accuracy_level`` only permits lower
    internal precision, so the float computation satisfies every level."""
    a = float_input(n, 0, "A")
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
    y = matmul_nd(n, a, w)
    if n.has_input(5):
        bias = n.input(5)
        same_type(n, a, bias, "bias")
        if bias.shape != (n_size,):
            raise n.unsupported(f"bias shape {list(bias.shape)} (expected [{n_size}])",
                                "shape")
        y = n.b.add(y, bias)
    return [y]
