"""RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR through the WebNN delegate, checked against
TFLite's builtin kernels (providers/tflite/ops/resize.py): every coordinate mode, up- and
down-sampling with non-integer ratios, float32 and int8/uint8."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant
from webnn_providers.tflite.ops.resize import nearest_indices

from tests.providers.tflite.helpers import check_delegated, refused

RNG = np.random.default_rng(3)
Q = {"int8": Quant(0.1, -4), "uint8": Quant(0.05, 120)}
IN = [1, 5, 7, 3]
SIZES = [(8, 12), (3, 4), (10, 7), (1, 1), (2, 13)]
MODES = {"asymmetric": {}, "align_corners": {"align_corners": True},
         "half_pixel": {"half_pixel_centers": True}}


def resize_model(op: str, size: Sequence[int], dtype: str, shape: Sequence[int] = IN,
                 version: int = 3, **options: bool) -> bytes:
    m = ModelWriter()
    x = m.input("x", shape, dtype, quantization=Q.get(dtype))
    s = m.constant("size", np.array(size, np.int32))
    y = m.tensor("y", [shape[0], size[0], size[1], shape[3]], dtype, quantization=Q.get(dtype))
    m.op(op, [x, s], [y], version=version, **options)
    m.output(y)
    return m.finish()


def data(shape: Sequence[int], dtype: str) -> np.ndarray:
    if dtype == "float32":
        return RNG.standard_normal(shape).astype(np.float32)
    info = np.iinfo(dtype)
    return RNG.integers(info.min, info.max + 1, shape).astype(dtype)


@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8"])
def test_resize_bilinear(size: tuple, mode: str, dtype: str) -> None:
    model = resize_model("RESIZE_BILINEAR", size, dtype, **MODES[mode])
    check_delegated(model, [data(IN, dtype)])


@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8"])
def test_resize_nearest_neighbor(size: tuple, mode: str, dtype: str) -> None:
    model = resize_model("RESIZE_NEAREST_NEIGHBOR", size, dtype, **MODES[mode])
    check_delegated(model, [data(IN, dtype)])


@pytest.mark.parametrize("op", ["RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"])
def test_resize_batch_and_identity_size(op: str) -> None:
    check_delegated(resize_model(op, (4, 6), "float32", shape=[2, 4, 6, 2]),
                    [data([2, 4, 6, 2], "float32")])
    check_delegated(resize_model(op, (8, 3), "float32", shape=[2, 4, 6, 2]),
                    [data([2, 4, 6, 2], "float32")])


def test_nearest_indices_by_hand() -> None:
    """Worked by hand from reference_ops::GetNearestNeighbor: 4 -> 3 has scale 4/3."""
    # floor(o * 4/3) = 0, 1, 2
    assert nearest_indices(4, 3, False, False).tolist() == [0, 1, 2]
    # floor((o + 0.5) * 4/3) = floor(0.67), floor(2.0), floor(3.33) = 0, 2, 3
    assert nearest_indices(4, 3, False, True).tolist() == [0, 2, 3]
    # align corners: round(o * 3/2) = round(0), round(1.5), round(3) = 0, 2, 3
    assert nearest_indices(4, 3, True, False).tolist() == [0, 2, 3]
    # downscale by 2 with half-pixel centers: floor(1), floor(3) — WebNN would pick 0, 2
    assert nearest_indices(4, 2, False, True).tolist() == [1, 3]


def test_bilinear_align_with_half_pixel_refused() -> None:
    """TFLite's kernels reject both options together; the translator refuses them."""
    from webnn_providers.tflite.model import FLOAT32, INT32, ModelInfo, OpInfo, TensorInfo
    from webnn_providers.tflite.translator import check_op

    from webnn_core import ml

    tensors = {0: TensorInfo(0, "x", FLOAT32, (1, 2, 2, 1)),
               1: TensorInfo(1, "s", INT32, (2,), constant=np.array([4, 4], np.int32)),
               2: TensorInfo(2, "y", FLOAT32, (1, 4, 4, 1))}
    op = OpInfo(0, "RESIZE_BILINEAR", 3, (0, 1), (2,),
                options={"align_corners": True, "half_pixel_centers": True})
    verdict = check_op(ml.create_context(), ModelInfo([op], tensors), 0)
    assert not verdict.supported and "align_corners with half_pixel_centers" in verdict.reason


def test_resize_int16_refused() -> None:
    m = ModelWriter()
    x = m.input("x", [1, 2, 2, 1], "int16", quantization=Quant(0.01, 0))
    y = m.tensor("y", [1, 4, 4, 1], "int16", quantization=Quant(0.01, 0))
    m.op("RESIZE_BILINEAR", [x, m.constant("s", np.array([4, 4], np.int32))], [y], version=4)
    m.output(y)
    report = refused(m.finish())
    assert report.num_supported == 0 and "INT16" in report.nodes[0].reason
