"""conv2d and conv_transpose2d: hand-checked values, OpenVINO vs reference, validation."""

from __future__ import annotations

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_backends_agree, context, run

D = webnn.MLOperandDescriptor

# filter layout -> permutation from OIHW (conv2d) / IOHW (conv_transpose2d) to that layout
FROM_OIHW = {"oihw": (0, 1, 2, 3), "hwio": (2, 3, 1, 0), "ohwi": (0, 2, 3, 1),
             "ihwo": (1, 2, 3, 0)}
FROM_IOHW = {"iohw": (0, 1, 2, 3), "hwoi": (2, 3, 1, 0), "ohwi": (1, 2, 3, 0)}


def _conv(x: np.ndarray, w: np.ndarray, op: str = "conv2d", bias: np.ndarray | None = None,
          constant_filter: bool = True, **options):
    """A graph builder for ``op`` with input ``x`` and filter ``w`` (constant or input)."""

    def build(g):
        xi = g.input("x", D(str(x.dtype), x.shape))
        wi = g.constant(w) if constant_filter else g.input("w", D(str(w.dtype), w.shape))
        b = None if bias is None else g.constant(bias)
        return {"y": getattr(g, op)(xi, wi, bias=b, **options)}

    inputs = {"x": x} if constant_filter else {"x": x, "w": w}
    return build, inputs


def _ulp(kh: int, kw: int, cin_per_group: int) -> int:
    """WPT's conv tolerance: kH * kW * Cin / groups * 2 ULP. Random data is positive (as in
    WPT) so that no result is a cancellation near 0, where ULP distances mean nothing."""
    return kh * kw * cin_per_group * 2


# -- hand-checked values ---------------------------------------------------------------

@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_conv2d_hand_checked(backend):
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)
    w = np.ones((1, 1, 2, 2), np.float32)
    build, inputs = _conv(x, w)
    # each output is the sum of a 2x2 block of [[1,2,3],[4,5,6],[7,8,9]]
    np.testing.assert_array_equal(run(backend, build, inputs)["y"].ravel(), [12, 16, 24, 28])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_conv2d_padding_strides_bias(backend):
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)
    w = np.ones((1, 1, 2, 2), np.float32)
    build, inputs = _conv(x, w, bias=np.array([0.5], np.float32), padding=[1, 1, 1, 1],
                          strides=[2, 2])
    # windows over the zero-padded 5x5 input at rows/cols {-1, 0} and {1, 2}:
    # {1}, {2, 3}, {4, 7}, {5, 6, 8, 9}
    np.testing.assert_array_equal(run(backend, build, inputs)["y"].ravel(),
                                  [1.5, 5.5, 11.5, 28.5])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_conv2d_nhwc_ohwi(backend):
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    w = np.array([1, 0, 0, -1], np.float32).reshape(1, 2, 2, 1)  # ohwi: x[i,j] - x[i+1,j+1]
    build, inputs = _conv(x, w, input_layout="nhwc", filter_layout="ohwi")
    out = run(backend, build, inputs)["y"]
    assert out.shape == (1, 2, 2, 1)
    np.testing.assert_array_equal(out.ravel(), [-4, -4, -4, -4])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_conv2d_depthwise_hand_checked(backend):
    x = np.stack([np.ones((2, 2)), np.full((2, 2), 2.0)]).astype(np.float32)[None]
    w = np.stack([np.ones((2, 2)), np.full((2, 2), 3.0)]).astype(np.float32)[:, None]
    build, inputs = _conv(x, w, groups=2)
    # channel 0: 4 * 1 * 1; channel 1: 4 * 2 * 3
    np.testing.assert_array_equal(run(backend, build, inputs)["y"].ravel(), [4, 24])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_conv2d_dilations_hand_checked(backend):
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2), np.float32)
    build, inputs = _conv(x, w, dilations=[2, 2])
    # taps x[i, j] + x[i, j+2] + x[i+2, j] + x[i+2, j+2] = 4 * x[i, j] + 20
    np.testing.assert_array_equal(run(backend, build, inputs)["y"].ravel(), [20, 24, 36, 40])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_conv_transpose2d_hand_checked(backend):
    x = np.array([1, 2, 3, 4], np.float32).reshape(1, 1, 2, 2)
    w = np.ones((1, 1, 2, 2), np.float32)
    build, inputs = _conv(x, w, "conv_transpose2d")
    # every input element adds itself to a 2x2 block of the 3x3 output
    np.testing.assert_array_equal(run(backend, build, inputs)["y"][0, 0],
                                  [[1, 3, 2], [4, 10, 6], [3, 7, 4]])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_conv_transpose2d_strides_padding_output_sizes(backend):
    x = np.array([1, 2, 3, 4], np.float32).reshape(1, 1, 2, 2)
    w = np.ones((1, 1, 2, 2), np.float32)
    blocks = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]], np.float32)
    build, inputs = _conv(x, w, "conv_transpose2d", strides=[2, 2])
    np.testing.assert_array_equal(run(backend, build, inputs)["y"][0, 0], blocks)
    build, inputs = _conv(x, w, "conv_transpose2d", strides=[2, 2], padding=[1, 1, 1, 1])
    np.testing.assert_array_equal(run(backend, build, inputs)["y"][0, 0], blocks[1:3, 1:3])
    # output_sizes one larger than computed: an extra row and column holding only the bias
    build, inputs = _conv(x, w, "conv_transpose2d", strides=[2, 2], output_sizes=[5, 5],
                          bias=np.array([1], np.float32))
    expected = np.ones((5, 5), np.float32)
    expected[:4, :4] += blocks
    np.testing.assert_array_equal(run(backend, build, inputs)["y"][0, 0], expected)
    build, inputs = _conv(x, w, "conv_transpose2d", strides=[2, 2], output_padding=[1, 0])
    assert run(backend, build, inputs)["y"].shape == (1, 1, 5, 4)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_conv_transpose2d_groups_hand_checked(backend):
    x = np.array([1, 2], np.float32).reshape(1, 2, 1, 1)
    w = np.array([3, 5], np.float32).reshape(2, 1, 1, 1)
    build, inputs = _conv(x, w, "conv_transpose2d", groups=2)
    np.testing.assert_array_equal(run(backend, build, inputs)["y"].ravel(), [3, 10])


# -- OpenVINO vs reference -------------------------------------------------------------

CONV2D_CASES = [
    dict(),
    dict(padding=[1, 1, 1, 1]),
    dict(padding=[0, 2, 1, 0], strides=[2, 3]),
    dict(dilations=[2, 1], padding=[2, 2, 1, 1]),
    dict(groups=2),
    dict(groups=4, strides=[2, 2], padding=[1, 1, 1, 1]),  # depthwise
    dict(groups=2, dilations=[2, 2], strides=[1, 2]),
]


@pytest.mark.parametrize("filter_layout", list(FROM_OIHW))
@pytest.mark.parametrize("input_layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("case", range(len(CONV2D_CASES)))
def test_conv2d_agrees(case, input_layout, filter_layout):
    options = CONV2D_CASES[case]
    rng = np.random.default_rng(case)
    groups = options.get("groups", 1)
    cin, cout, kh, kw = 4, 4 if groups == 4 else 6, 3, 2
    x = rng.uniform(0.1, 1, (2, cin, 7, 8)).astype(np.float32)
    if input_layout == "nhwc":
        x = x.transpose(0, 2, 3, 1).copy()
    w = rng.uniform(0.1, 1, (cout, cin // groups, kh, kw)).astype(np.float32)
    w = w.transpose(FROM_OIHW[filter_layout]).copy()
    bias = rng.uniform(0.1, 1, cout).astype(np.float32)
    build, inputs = _conv(x, w, bias=bias, input_layout=input_layout,
                          filter_layout=filter_layout, **options)
    assert_backends_agree(build, inputs, ulp=_ulp(kh, kw, cin // groups))


@pytest.mark.parametrize("layout", ["oihw", "ohwi"])
def test_conv2d_non_constant_filter_and_bias_agree(layout):
    rng = np.random.default_rng(7)
    x = rng.uniform(0.1, 1, (1, 4, 6, 6)).astype(np.float32)
    w = rng.uniform(0.1, 1, (4, 2, 3, 3)).astype(np.float32).transpose(FROM_OIHW[layout]).copy()
    b = rng.uniform(0.1, 1, 4).astype(np.float32)

    def build(g):
        return {"y": g.conv2d(g.input("x", D("float32", x.shape)),
                              g.input("w", D("float32", w.shape)), groups=2,
                              filter_layout=layout, bias=g.input("b", D("float32", [4])),
                              padding=[1, 1, 1, 1])}

    assert_backends_agree(build, {"x": x, "w": w, "b": b}, ulp=_ulp(3, 3, 2))


def test_conv2d_float16_agrees():
    rng = np.random.default_rng(3)
    x = rng.uniform(0.1, 1, (1, 3, 6, 6)).astype(np.float16)
    w = rng.uniform(0.1, 1, (5, 3, 3, 3)).astype(np.float16)
    bias = rng.uniform(0.1, 1, 5).astype(np.float16)
    build, inputs = _conv(x, w, bias=bias, padding=[1, 1, 1, 1], strides=[2, 1])
    ref = assert_backends_agree(build, inputs, ulp=_ulp(3, 3, 3))
    assert ref["y"].dtype == np.float16


CONV_TRANSPOSE2D_CASES = [
    dict(),
    dict(strides=[2, 2]),
    dict(strides=[2, 3], padding=[1, 0, 0, 2], output_padding=[1, 2]),
    dict(strides=[3, 2], output_sizes=[12, 9]),
    dict(dilations=[2, 1], padding=[1, 1, 1, 1]),
    dict(groups=2, strides=[2, 2]),
    dict(groups=4, strides=[2, 1], padding=[1, 0, 0, 0]),
]


@pytest.mark.parametrize("filter_layout", list(FROM_IOHW))
@pytest.mark.parametrize("input_layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("case", range(len(CONV_TRANSPOSE2D_CASES)))
def test_conv_transpose2d_agrees(case, input_layout, filter_layout):
    options = CONV_TRANSPOSE2D_CASES[case]
    rng = np.random.default_rng(100 + case)
    groups = options.get("groups", 1)
    cin, cout_per_group, kh, kw = 4, 2, 3, 2
    x = rng.uniform(0.1, 1, (2, cin, 4, 4)).astype(np.float32)
    if input_layout == "nhwc":
        x = x.transpose(0, 2, 3, 1).copy()
    w = rng.uniform(0.1, 1, (cin, cout_per_group, kh, kw)).astype(np.float32)
    w = w.transpose(FROM_IOHW[filter_layout]).copy()
    bias = rng.uniform(0.1, 1, cout_per_group * groups).astype(np.float32)
    build, inputs = _conv(x, w, "conv_transpose2d", bias=bias, input_layout=input_layout,
                          filter_layout=filter_layout, **options)
    assert_backends_agree(build, inputs, ulp=_ulp(kh, kw, cin // groups))


def test_conv_transpose2d_non_constant_filter_float16_agree():
    rng = np.random.default_rng(9)
    x = rng.uniform(0.1, 1, (1, 4, 3, 3)).astype(np.float16)
    w = rng.uniform(0.1, 1, (4, 3, 2, 2)).astype(np.float16)
    build, inputs = _conv(x, w, "conv_transpose2d", constant_filter=False, groups=2,
                          strides=[2, 2])
    ref = assert_backends_agree(build, inputs, ulp=_ulp(2, 2, 2))
    assert ref["y"].shape == (1, 6, 6, 6)


def test_conv2d_openvino_folds_constant_filter_layouts():
    """A constant hwio filter becomes a plain OIHW constant: no Transpose in the model."""
    from webnn_core.backends.openvino import translate

    g = webnn.MLGraphBuilder(context("openvino"))
    x = g.input("x", D("float32", [1, 5, 5, 4]))
    w = g.constant(np.ones((3, 3, 1, 4), np.float32))
    y = g.conv2d(x, w, groups=4, input_layout="nhwc", filter_layout="hwio",
                 bias=g.constant(np.zeros(4, np.float32)))
    graph = g.build({"y": y})
    kinds = [n.get_type_name() for n in translate(graph).get_ordered_ops()]
    assert "GroupConvolution" in kinds
    assert kinds.count("Transpose") == 2  # the nhwc input and output only


# -- validation ------------------------------------------------------------------------

def _builder():
    return webnn.MLGraphBuilder(context("reference"))


def test_conv2d_validation():
    g = _builder()
    x = g.input("x", D("float32", [1, 4, 5, 5]))
    w = g.constant(np.ones((2, 4, 3, 3), np.float32))
    with pytest.raises(TypeError, match="conv2d: input must be of rank 4"):
        g.conv2d(g.input("x3", D("float32", [4, 5, 5])), w)
    with pytest.raises(TypeError, match="conv2d: input data type int32 is not allowed"):
        g.conv2d(g.input("xi", D("int32", [1, 4, 5, 5])), w)
    with pytest.raises(TypeError, match="conv2d: filter data type float16 must match"):
        g.conv2d(x, g.constant(np.ones((2, 4, 3, 3), np.float16)))
    with pytest.raises(TypeError, match="conv2d: padding must have 4 items"):
        g.conv2d(x, w, padding=[1, 1])
    with pytest.raises(TypeError, match="conv2d: strides items must be greater than 0"):
        g.conv2d(x, w, strides=[0, 1])
    with pytest.raises(TypeError, match="conv2d: dilations must have 2 items"):
        g.conv2d(x, w, dilations=[1])
    with pytest.raises(TypeError, match="conv2d: groups must be greater than 0"):
        g.conv2d(x, w, groups=0)
    with pytest.raises(TypeError, match="conv2d: input channels 4 must be divisible by"):
        g.conv2d(x, w, groups=3)
    with pytest.raises(TypeError, match="conv2d: filter input channels 4 must equal"):
        g.conv2d(x, w, groups=2)
    with pytest.raises(TypeError, match="conv2d: output channels 2 must be divisible"):
        g.conv2d(x, g.constant(np.ones((2, 1, 3, 3), np.float32)), groups=4)
    with pytest.raises(TypeError, match=r"conv2d: bias shape \[3\] must be \[2\]"):
        g.conv2d(x, w, bias=g.constant(np.ones(3, np.float32)))
    with pytest.raises(TypeError, match="conv2d: bias data type float16 must match"):
        g.conv2d(x, w, bias=g.constant(np.ones(2, np.float16)))
    with pytest.raises(TypeError, match="conv2d: output size"):
        g.conv2d(x, w, dilations=[3, 1])
    with pytest.raises(TypeError, match="conv2d: filter_layout"):
        g.conv2d(x, w, filter_layout="iohw")
    with pytest.raises(TypeError, match="conv2d: input_layout"):
        g.conv2d(x, w, input_layout="nwhc")
    with pytest.raises(TypeError, match="conv2d: padding"):
        g.conv2d(x, w, padding=[1, 1, -1, 1])
    with pytest.raises(TypeError, match="conv2d: output size"):  # WPT: padding too large
        g.conv2d(x, w, padding=[0, 0, 2**32 - 1, 2**32 - 1])
    other = _builder()
    with pytest.raises(TypeError, match="conv2d: filter was created by another"):
        g.conv2d(x, other.constant(np.ones((2, 4, 3, 3), np.float32)))
    # padding makes the otherwise too large filter fit
    assert g.conv2d(x, w, dilations=[3, 1], padding=[1, 1, 0, 0]).shape == (1, 2, 1, 3)


def test_conv2d_output_shapes():
    g = _builder()
    x = g.input("x", D("float32", [2, 7, 9, 3]))
    w = g.constant(np.ones((3, 3, 3, 6), np.float32))  # hwio
    y = g.conv2d(x, w, input_layout="nhwc", filter_layout="hwio", strides=[2, 2],
                 padding=[1, 1, 0, 0])
    # height: (7 - 3 + 2) / 2 + 1 = 4; width: floor((9 - 3) / 2) + 1 = 4
    assert y.shape == (2, 4, 4, 6) and y.data_type == "float32"


def test_conv_transpose2d_validation():
    g = _builder()
    x = g.input("x", D("float32", [1, 4, 3, 3]))
    w = g.constant(np.ones((4, 2, 3, 3), np.float32))
    with pytest.raises(TypeError, match="conv_transpose2d: filter input channels 2 must"):
        g.conv_transpose2d(x, g.constant(np.ones((2, 4, 3, 3), np.float32)))
    with pytest.raises(TypeError, match="conv_transpose2d: output_padding .* smaller than"):
        g.conv_transpose2d(x, w, strides=[2, 2], output_padding=[2, 0])
    with pytest.raises(TypeError, match="conv_transpose2d: output_padding must have 2"):
        g.conv_transpose2d(x, w, output_padding=[0, 0, 0])
    with pytest.raises(TypeError, match=r"conv_transpose2d: output_sizes\[0\] 10 must be in"):
        g.conv_transpose2d(x, w, strides=[2, 2], output_sizes=[10, 7])
    with pytest.raises(TypeError, match=r"conv_transpose2d: output_sizes\[1\] 6 must be in"):
        g.conv_transpose2d(x, w, strides=[2, 2], output_sizes=[7, 6])
    with pytest.raises(TypeError, match="conv_transpose2d: output_sizes must have 2"):
        g.conv_transpose2d(x, w, output_sizes=[7])
    with pytest.raises(TypeError, match=r"conv_transpose2d: bias shape \[2\] must be \[4\]"):
        g.conv_transpose2d(x, w, groups=2, bias=g.constant(np.ones(2, np.float32)))
    with pytest.raises(TypeError, match="conv_transpose2d: input channels 4 must be divisible"):
        g.conv_transpose2d(x, w, groups=3)
    with pytest.raises(TypeError, match="conv_transpose2d: output size"):
        g.conv_transpose2d(x, w, padding=[3, 3, 0, 0])
    with pytest.raises(TypeError, match="conv_transpose2d: filter_layout"):
        g.conv_transpose2d(x, w, filter_layout="oihw")
    # output_sizes overrides output_padding (even one not smaller than the strides)
    y = g.conv_transpose2d(x, w, strides=[2, 2], output_sizes=[8, 7], output_padding=[5, 5])
    assert y.shape == (1, 2, 8, 7)
    # (3 - 1) * 2 + 3 - 1 - 0 + 1 = 7
    assert g.conv_transpose2d(x, w, strides=[2, 2], padding=[1, 0, 0, 0],
                              output_padding=[1, 0]).shape == (1, 2, 7, 7)
    assert g.conv_transpose2d(x, w, groups=2).shape == (1, 4, 5, 5)
