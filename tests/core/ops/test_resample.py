"""resample2d: hand-checked values, OpenVINO vs reference, validation."""

from __future__ import annotations

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_backends_agree, context, run

D = webnn.MLOperandDescriptor


def _resample(x: np.ndarray, **options):
    def build(g):
        return {"y": g.resample2d(g.input("x", D(str(x.dtype), x.shape)), **options)}
    return build, {"x": x}


def _run(backend: str, x: np.ndarray, **options) -> np.ndarray:
    return run(backend, *_resample(x, **options))["y"]


# -- hand-checked values ---------------------------------------------------------------

@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_linear_spec_example(backend):
    """The 4x4 -> 8x8 example in the spec's note on resample2d."""
    x = np.array([[0, 1, 2, 3], [0, 1, 2, 3], [12, 13, 14, 15], [12, 13, 14, 15]],
                 np.float32).reshape(1, 1, 4, 4)
    row = np.array([0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3])
    expected = np.stack([row, row, row, row + 3, row + 9, row + 12, row + 12, row + 12])
    out = _run(backend, x, mode="linear", sizes=[8, 8])
    np.testing.assert_array_equal(out[0, 0], expected.astype(np.float32))
    np.testing.assert_array_equal(_run(backend, x, mode="linear", scales=[2.0, 2.0]), out)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_nearest_hand_checked(backend):
    x = np.array([[1, 2], [3, 4]], np.float32).reshape(1, 1, 2, 2)
    out = _run(backend, x, scales=[2.0, 2.0])
    np.testing.assert_array_equal(out[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4],
                                              [3, 3, 4, 4]])
    # 4 -> 2: coordinates (o + 0.5) * 2 - 0.5 = 0.5, 2.5 read ceil(0), ceil(2)
    row = np.array([0, 1, 2, 3], np.float32).reshape(1, 1, 1, 4)
    np.testing.assert_array_equal(_run(backend, row, sizes=[1, 2]).ravel(), [0, 2])
    np.testing.assert_array_equal(_run(backend, row, mode="linear", sizes=[1, 2]).ravel(),
                                  [0.5, 2.5])
    # 4 -> 3: coordinates 1/6, 3/2, 17/6 read 0, 1 (ties go to the floor), 3
    np.testing.assert_array_equal(_run(backend, row, sizes=[1, 3]).ravel(), [0, 1, 3])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_axes_and_integers_hand_checked(backend):
    x = np.array([[10, 20], [30, 40]], np.uint8).reshape(2, 2, 1, 1)
    out = _run(backend, x, axes=[0, 1], sizes=[2, 4])
    np.testing.assert_array_equal(out[:, :, 0, 0], [[10, 10, 20, 20], [30, 30, 40, 40]])
    # linear on uint8 along axis 1 (2 -> 4): 10, 12.5, 17.5, 20 -> ties to even: 12, 18
    out = _run(backend, x, mode="linear", axes=[0, 1], sizes=[2, 4])
    np.testing.assert_array_equal(out[:, :, 0, 0], [[10, 12, 18, 20], [30, 32, 38, 40]])
    # axes in reverse order pair sizes with axes as given
    y = np.arange(6, dtype=np.float32).reshape(1, 1, 2, 3)
    assert _run(backend, y, axes=[3, 2], sizes=[6, 4]).shape == (1, 1, 4, 6)


# -- OpenVINO vs reference -------------------------------------------------------------

CASES = [
    dict(scales=[2.0, 2.0]),
    dict(sizes=[3, 11]),
    dict(scales=[0.5, 0.7]),
    dict(sizes=[7, 2], axes=[3, 2]),
    dict(sizes=[3, 4], axes=[0, 1]),
    dict(sizes=[4, 9], axes=[1, 3]),
    dict(scales=[1.5, 3.0]),
    dict(),
]


@pytest.mark.parametrize("mode", ["nearest-neighbor", "linear"])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_resample2d_float_agrees(case, dtype, mode):
    x = np.random.default_rng(case).uniform(0.1, 1, (2, 3, 5, 6)).astype(dtype)
    # WPT's resample2d tolerance: exact for nearest-neighbor; linear 84 ULP (float32) and
    # 10 ULP (float16)
    ulp = None if mode == "nearest-neighbor" else {"float32": 84, "float16": 10}[dtype]
    assert_backends_agree(*_resample(x, mode=mode, **CASES[case]), ulp=ulp)


@pytest.mark.parametrize("dtype", ["uint8", "int8"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_resample2d_nearest_integers_agree(case, dtype):
    info = np.iinfo(dtype)
    x = np.random.default_rng(case).integers(info.min, info.max, (2, 3, 5, 6), dtype=dtype)
    assert_backends_agree(*_resample(x, **CASES[case]))


@pytest.mark.parametrize("dtype", ["uint8", "int8"])
@pytest.mark.parametrize("options", [dict(scales=[2.0, 2.0]), dict(scales=[0.5, 0.5]),
                                     dict(sizes=[10, 3], axes=[3, 1]), dict()])
def test_resample2d_linear_integers_agree(dtype, options):
    """Linear sampling with power-of-two scales, whose weights are exact in float32 (with
    other scales OpenVINO's float32 weights can flip the rounding of exact .5 ties)."""
    info = np.iinfo(dtype)
    x = np.random.default_rng(4).integers(info.min, info.max, (2, 6, 4, 5), dtype=dtype)
    assert_backends_agree(*_resample(x, mode="linear", **options))


@pytest.mark.parametrize("dtype", ["uint8", "int8"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_resample2d_linear_integers_within_one(case, dtype):
    """Any scales: WPT allows 1 for integer linear results (OpenVINO's float32 weights can
    round an exact .5 tie the other way)."""
    info = np.iinfo(dtype)
    x = np.random.default_rng(case).integers(info.min, info.max, (2, 3, 5, 6), dtype=dtype)
    build, inputs = _resample(x, mode="linear", **CASES[case])
    ref = run("reference", build, inputs)["y"]
    got = run("openvino", build, inputs)["y"]
    assert got.dtype == ref.dtype and got.shape == ref.shape
    assert np.abs(got.astype(np.int64) - ref).max() <= 1


# -- validation ------------------------------------------------------------------------

def test_resample2d_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [1, 2, 4, 5]))
    with pytest.raises(TypeError, match="resample2d: input must be of rank 4"):
        g.resample2d(g.input("x3", D("float32", [2, 4, 5])))
    with pytest.raises(TypeError, match="resample2d: input data type int32 is not allowed"):
        g.resample2d(g.input("xi", D("int32", [1, 2, 4, 5])))
    with pytest.raises(TypeError, match="resample2d: mode"):
        g.resample2d(x, mode="cubic")
    with pytest.raises(TypeError, match="resample2d: scales must have 2 items"):
        g.resample2d(x, scales=[1.0, 2.0, 2.0])
    with pytest.raises(TypeError, match="resample2d: scales items must be greater than 0"):
        g.resample2d(x, scales=[1.0, 0.0])
    with pytest.raises(TypeError, match="resample2d: scales items must be greater than 0"):
        g.resample2d(x, scales=[-1.0, 2.0])
    with pytest.raises(TypeError, match="resample2d: scales"):
        g.resample2d(x, scales=[float("inf"), 2.0])
    with pytest.raises(TypeError, match="resample2d: sizes must have 2 items"):
        g.resample2d(x, sizes=[2])
    with pytest.raises(TypeError, match="resample2d: sizes items must be greater than 0"):
        g.resample2d(x, sizes=[0, 2])
    with pytest.raises(TypeError, match="resample2d: axes must have 2 items"):
        g.resample2d(x, axes=[1, 2, 3])
    with pytest.raises(TypeError, match="resample2d: axes 4 must be in"):
        g.resample2d(x, axes=[2, 4])
    with pytest.raises(TypeError, match="resample2d: axes .* duplicates"):
        g.resample2d(x, axes=[2, 2])
    with pytest.raises(TypeError, match="resample2d: output size 0 of axis 2"):
        g.resample2d(x, scales=[0.1, 1.0])
    other = webnn.MLGraphBuilder(context("reference"))
    with pytest.raises(TypeError, match="resample2d: input was created by another"):
        other.resample2d(x)


def test_resample2d_output_shapes():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float16", [1, 2, 4, 5]))
    assert g.resample2d(x).shape == (1, 2, 4, 5)
    # floor(4 * 1.5) = 6, floor(5 * 0.7) = 3
    y = g.resample2d(x, scales=[1.5, 0.7])
    assert y.shape == (1, 2, 6, 3) and y.data_type == "float16"
    # sizes win over scales
    assert g.resample2d(x, scales=[2.0, 2.0], sizes=[3, 3]).shape == (1, 2, 3, 3)
    assert g.resample2d(x, scales=[2.0, 3.0], axes=[1, 0]).shape == (3, 4, 4, 5)
