"""ONNX Resize / Upsample -> WebNN resample2d; DepthToSpace / SpaceToDepth -> reshape +
transpose.

WebNN's resample2d has one sampling rule (webnn-spec §api-mlgraphbuilder-resample2d-method):
per axis, with ``scale = outputSize / inputSize``, the source coordinate is the half-pixel
``(o + 0.5) / scale - 0.5`` clamped to ``[0, inputSize - 1]``; nearest-neighbor reads
``ceil(coordinate - 0.5)`` (ties to the lower pixel), linear blends the two neighbours.

ONNX has many coordinate transformation and rounding modes. Rather than list which
combinations "are" WebNN's, the translator computes, for the node's static sizes, the
source pixel (nearest) or source coordinate (linear) of every output position under the
ONNX definition and under WebNN's rule, and emits resample2d only when they are equal on
every axis; anything else is refused with the mode in the reason. Nearest maps are checked
both in exact arithmetic (the spec's formulas) and in float32 (what runtimes compute), so
a tie that float rounding moves is refused rather than guessed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..translator import NodeView, translator

HALF = Fraction(1, 2)


# -- coordinate maps ----------------------------------------------------------------------
def _source(mode: str, o: int, in_size: int, out_size: int, scale, num: Callable):
    """ONNX ``coordinate_transformation_mode``: the input coordinate of output index ``o``,
    in the arithmetic of ``num`` (Fraction: exact; np.float32: as runtimes compute)."""
    x, half, length_in, length_out = num(o), num(HALF), num(in_size), num(out_size)
    if mode == "half_pixel":
        return (x + half) / scale - half
    if mode == "pytorch_half_pixel":
        return (x + half) / scale - half if out_size > 1 else num(0)
    if mode == "half_pixel_symmetric":
        adjustment = length_out / (scale * length_in)
        offset = length_in / num(2) * (num(1) - adjustment)
        return offset + (x + half) / scale - half
    if mode == "align_corners":
        return num(0) if out_size == 1 else x * (length_in - num(1)) / (length_out - num(1))
    if mode == "asymmetric":
        return x / scale
    if mode == "tf_half_pixel_for_nn":
        return (x + half) / scale
    raise ValueError(mode)


def _round(value: Fraction, nearest_mode: str, downscale: bool) -> int:
    """ONNX ``nearest_mode`` ("simple" is ONNX Runtime's rule before opset 11: floor when
    upscaling, ceil when downscaling)."""
    if nearest_mode == "round_prefer_floor":
        return math.ceil(value - HALF)
    if nearest_mode == "round_prefer_ceil":
        return math.floor(value + HALF)
    if nearest_mode == "floor" or (nearest_mode == "simple" and not downscale):
        return math.floor(value)
    if nearest_mode == "ceil" or nearest_mode == "simple":
        return math.ceil(value)
    raise ValueError(nearest_mode)


def _webnn_source(o: int, in_size: int, out_size: int) -> Fraction:
    coordinate = Fraction((2 * o + 1) * in_size - out_size, 2 * out_size)
    return min(max(coordinate, Fraction(0)), Fraction(in_size - 1))


@dataclass
class _Axis:
    """One axis: sizes and the ONNX scale, exactly (``exact``) and in float32 (``f32``)."""

    in_size: int
    out_size: int
    exact: Fraction
    f32: np.float32

    def onnx_nearest(self, mode: str, nearest_mode: str) -> list[int] | None:
        """The source pixel of each output position, or None when exact and float32
        arithmetic disagree."""
        maps = []
        for scale, num in ((self.exact, Fraction), (self.f32, np.float32)):
            indices = []
            for o in range(self.out_size):
                value = Fraction(float(_source(mode, o, self.in_size, self.out_size, scale,
                                               num)))
                index = _round(value, nearest_mode, self.exact < 1)
                indices.append(min(max(index, 0), self.in_size - 1))
            maps.append(indices)
        return maps[0] if maps[0] == maps[1] else None

    def webnn_nearest(self) -> list[int]:
        return [math.ceil(_webnn_source(o, self.in_size, self.out_size) - HALF)
                for o in range(self.out_size)]

    def onnx_linear(self, mode: str) -> list[Fraction]:
        top = Fraction(self.in_size - 1)
        return [min(max(_source(mode, o, self.in_size, self.out_size, self.exact, Fraction),
                        Fraction(0)), top) for o in range(self.out_size)]

    def webnn_linear(self) -> list[Fraction]:
        return [_webnn_source(o, self.in_size, self.out_size) for o in range(self.out_size)]

    def identity(self) -> list:
        return list(range(self.in_size)) if self.out_size == self.in_size else []


def _axes_from_scales(in_shape: Sequence[int], scales: Sequence[float]) -> list[_Axis]:
    axes = []
    for size, scale in zip(in_shape, scales, strict=True):
        f32 = np.float32(scale)
        out = math.floor(float(f32 * np.float32(size)))
        # a scale that is out/in up to float32 rounding means out/in (the spec's intent)
        exact = Fraction(out, size) if out and np.float32(out / size) == f32 else Fraction(
            float(f32))
        axes.append(_Axis(size, out, exact, f32))
    return axes


def _axes_from_sizes(in_shape: Sequence[int], sizes: Sequence[int]) -> list[_Axis]:
    return [_Axis(size, int(out), Fraction(int(out), size),
                  np.float32(np.float32(int(out)) / np.float32(size)))
            for size, out in zip(in_shape, sizes, strict=True)]


# -- Resize / Upsample --------------------------------------------------------------------
@dataclass
class _Request:
    mode: str              # "nearest" | "linear"
    coordinates: str       # ONNX coordinate_transformation_mode
    nearest_mode: str      # ONNX nearest_mode, or "simple" before opset 11
    axes: list[_Axis]


def _emit_resample(n: NodeView, req: _Request) -> list:
    x = n.input(0)
    if x.rank != 4:
        raise n.unsupported(f"input of rank {x.rank}: WebNN resamples 4-D tensors", "shape")
    if req.mode not in ("nearest", "linear"):
        raise n.unsupported(f"mode {req.mode!r}: WebNN has nearest-neighbor and linear only")
    if req.coordinates == "tf_crop_and_resize":
        raise n.unsupported("coordinate_transformation_mode 'tf_crop_and_resize' (a region "
                            "of interest) is not supported")
    if req.mode == "linear" and x.data_type not in ("float32", "float16"):
        raise n.unsupported(f"linear resize of {x.data_type}: WebNN does not define how "
                            "the blended values are rounded to integers", "dtype")
    if any(a.out_size <= 0 for a in req.axes):
        raise n.unsupported(f"output size {[a.out_size for a in req.axes]} has an empty "
                            "dimension", "shape")
    resized = []
    for index, axis in enumerate(req.axes):
        if req.mode == "nearest":
            onnx_map = axis.onnx_nearest(req.coordinates, req.nearest_mode)
            webnn_map = axis.webnn_nearest()
        else:
            onnx_map, webnn_map = axis.onnx_linear(req.coordinates), axis.webnn_linear()
        if onnx_map == axis.identity():
            continue
        if onnx_map is None or onnx_map != webnn_map:
            how = f"nearest_mode {req.nearest_mode!r}" if req.mode == "nearest" else "linear"
            raise n.unsupported(
                f"{req.mode} resize of axis {index} from {axis.in_size} to {axis.out_size} "
                f"(scale {float(axis.f32):g}) with coordinate_transformation_mode "
                f"{req.coordinates!r} and {how} samples other pixels than WebNN's "
                "half-pixel resample2d")
        resized.append(index)
    if not resized:
        return [n.b.identity(x)]
    if len(resized) > 2:
        raise n.unsupported(f"resizes {len(resized)} axes {resized}; WebNN resamples two",
                            "shape")
    if len(resized) == 1:
        axis = resized[0]
        resized = sorted([axis, 3 if axis != 3 else 2])
    return [n.b.resample2d(x, mode="nearest-neighbor" if req.mode == "nearest" else "linear",
                           sizes=[req.axes[a].out_size for a in resized], axes=resized)]


def _full(n: NodeView, values: np.ndarray, fill: Sequence, what: str) -> list:
    """Per-axis values of ``scales``/``sizes``: those of the opset-18 ``axes``, ``fill``
    (no resizing) for the others."""
    values = [v.item() for v in np.asarray(values).reshape(-1)]
    rank = len(fill)
    axes = n.attr("axes")
    if axes is None:
        axes = range(rank)
    if len(values) != len(axes):
        raise n.unsupported(f"{what} has {len(values)} entries for {len(axes)} axes", "shape")
    full = list(fill)
    for axis, value in zip(axes, values, strict=True):
        full[int(axis) % rank] = value
    return full


@translator("Resize", since=10)
def resize(n: NodeView) -> list:
    """ONNX Resize. 10: inputs (X, scales), asymmetric coordinates and ONNX Runtime's
    "simple" nearest rounding; 11: roi/scales/sizes inputs, ``coordinate_transformation_mode``,
    ``nearest_mode``; 13: optional roi/scales; 18: ``axes``, ``antialias``,
    ``keep_aspect_ratio_policy``; 19: ``half_pixel_symmetric``. Cubic mode, region of
    interest cropping, non-"stretch" aspect policies and antialiased downscaling are
    refused."""
    x = n.input(0)
    rank = x.rank
    if n.version < 11:
        scales = n.require_const(1, "scales")
        axes = _axes_from_scales(x.shape, _full(n, scales, [1.0] * rank, "scales"))
        return _emit_resample(n, _Request(n.attr("mode", "nearest"), "asymmetric", "simple",
                                          axes))
    if n.attr("keep_aspect_ratio_policy", "stretch") != "stretch":
        raise n.unsupported(f"keep_aspect_ratio_policy {n.attr('keep_aspect_ratio_policy')!r}"
                            " (only 'stretch')")
    if int(n.attr("exclude_outside", 0)):
        raise n.unsupported("exclude_outside=1 (a cubic/antialias option)")
    sizes = n.require_const(3, "sizes") if n.has_input(3) else None
    if sizes is not None and sizes.size:
        axes = _axes_from_sizes(x.shape, _full(n, sizes, x.shape, "sizes"))
    elif n.has_input(2) and n.require_const(2, "scales").size:
        axes = _axes_from_scales(x.shape, _full(n, n.const(2), [1.0] * rank, "scales"))
    else:
        raise n.unsupported("needs scales or sizes", "shape")
    mode = n.attr("mode", "nearest")
    if int(n.attr("antialias", 0)) and mode != "nearest" and any(a.exact < 1 for a in axes):
        raise n.unsupported("antialias=1 when downscaling (an antialiasing filter)")
    return _emit_resample(n, _Request(mode, n.attr("coordinate_transformation_mode",
                                                   "half_pixel"),
                                      n.attr("nearest_mode", "round_prefer_floor"), axes))


@translator("Upsample", since=7, until=9)
def upsample(n: NodeView) -> list:
    """ONNX Upsample (7: ``scales`` attribute; 9: ``scales`` input; deprecated in 10):
    asymmetric coordinates, ONNX Runtime's "simple" nearest rounding (floor when
    upscaling)."""
    x = n.input(0)
    scales = n.attr("scales") if n.version < 9 else n.require_const(1, "scales")
    if scales is None:
        raise n.unsupported("needs scales")
    axes = _axes_from_scales(x.shape, _full(n, np.asarray(scales), [1.0] * x.rank, "scales"))
    return _emit_resample(n, _Request(n.attr("mode", "nearest"), "asymmetric", "simple", axes))


# -- DepthToSpace / SpaceToDepth ----------------------------------------------------------
def _nchw(n: NodeView):
    x = n.input(0)
    if x.rank != 4:
        raise n.unsupported(f"input of rank {x.rank} (ONNX defines 4-D only)", "shape")
    return x, int(n.attr("blocksize"))


@translator("DepthToSpace", since=1)
def depth_to_space(n: NodeView) -> list:
    """ONNX DepthToSpace (1: DCR order; 11: ``mode`` DCR | CRD; 13: types): moves
    ``blocksize^2`` channel groups into spatial blocks via a 6-D reshape + transpose."""
    x, bs = _nchw(n)
    batch, channels, height, width = x.shape
    if channels % (bs * bs):
        raise n.unsupported(f"{channels} channels are not divisible by blocksize^2 "
                            f"{bs * bs}", "shape")
    depth = channels // (bs * bs)
    mode = n.attr("mode", "DCR")
    if mode == "DCR":
        split, perm = [batch, bs, bs, depth, height, width], [0, 3, 4, 1, 5, 2]
    elif mode == "CRD":
        split, perm = [batch, depth, bs, bs, height, width], [0, 1, 4, 2, 5, 3]
    else:
        raise n.unsupported(f"mode {mode!r}")
    y = n.b.transpose(n.b.reshape(x, split), permutation=perm)
    return [n.b.reshape(y, [batch, depth, height * bs, width * bs])]


@translator("SpaceToDepth", since=1)
def space_to_depth(n: NodeView) -> list:
    """ONNX SpaceToDepth (1, 13: types; 28: ``mode`` DCR | CRD): the inverse of
    DepthToSpace."""
    x, bs = _nchw(n)
    mode = n.attr("mode", "DCR")
    if mode not in ("DCR", "CRD"):
        raise n.unsupported(f"mode {mode!r}")
    batch, channels, height, width = x.shape
    if height % bs or width % bs:
        raise n.unsupported(f"spatial size {height}x{width} is not divisible by blocksize "
                            f"{bs}", "shape")
    y = n.b.reshape(x, [batch, channels, height // bs, bs, width // bs, bs])
    # DCR: channel = (row * bs + col) * C + c; CRD: channel = c * bs^2 + row * bs + col
    perm = [0, 3, 5, 1, 2, 4] if mode == "DCR" else [0, 1, 3, 5, 2, 4]
    y = n.b.transpose(y, permutation=perm)
    return [n.b.reshape(y, [batch, channels * bs * bs, height // bs, width // bs])]
