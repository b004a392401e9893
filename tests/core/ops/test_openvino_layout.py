"""The OpenVINO backend's graph-level rewrites: transpose sinking
(webnn_core/backends/openvino/_layout.py: channels-last graphs compile without run-time
Transposes and compute the same values) and fusions (_fusion.py: the local response
normalization decomposition becomes OpenVINO's LRN only when it is exactly that)."""

from __future__ import annotations

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import assert_backends_agree
from webnn_core.backends.openvino import OpenVINOBackend, translate

D = webnn.MLOperandDescriptor


def _nhwc_block(b: webnn.MLGraphBuilder, quantized: bool) -> dict[str, webnn.MLOperand]:
    rng = np.random.default_rng(3)
    x = b.input("x", D("float32", [1, 9, 9, 4]))
    w1 = b.constant(rng.standard_normal((6, 3, 3, 4), dtype=np.float32))
    w2 = b.constant(rng.standard_normal((1, 3, 3, 6), dtype=np.float32))
    bias = b.constant(rng.standard_normal(6, dtype=np.float32))
    y = b.conv2d(x, w1, padding=[1, 1, 1, 1], input_layout="nhwc", filter_layout="ohwi",
                 bias=bias)
    y = b.clamp(y, min_value=0.0, max_value=6.0)
    if quantized:
        scale = b.constant(np.full((1, 1, 1, 1), 0.05, np.float32))
        zero = b.constant(np.full((1, 1, 1, 1), -128, np.int8))
        y = b.dequantize_linear(b.quantize_linear(y, scale, zero), scale, zero)
    # a per-channel constant in the channels-last frame, then a depthwise conv
    y = b.mul(y, b.constant(np.linspace(0.5, 1.5, 6, dtype=np.float32)))
    z = b.conv2d(y, w2, strides=[2, 2], groups=6, input_layout="nhwc", filter_layout="ihwo")
    z = b.add(z, b.relu(b.slice(z, [0, 0, 0, 0], [1, 4, 4, 6])))
    return {"z": z}


def _transposes(graph: webnn.MLGraph) -> int:
    """Transposes of run-time values (those of constant weights fold when compiling)."""
    model = translate(graph)
    return sum(1 for op in model.get_ordered_ops() if op.get_type_name() == "Transpose"
               and op.input_value(0).get_node().get_type_name() != "Constant")


def test_channels_last_chain_keeps_only_boundary_transposes():
    for quantized in (False, True):
        b = webnn.MLGraphBuilder(webnn.ml.create_context())
        graph = b.build(_nhwc_block(b, quantized))
        # 7 NHWC <-> NCHW transposes are emitted (two per convolution, the slice's
        # channels-last frame); only the graph's input and output ones remain
        assert _transposes(graph) == 2, quantized


def test_sunk_graph_computes_the_reference_values():
    x = np.random.default_rng(0).uniform(-2, 2, (1, 9, 9, 4)).astype(np.float32)
    # outputs reach |53|; two convolutions of 36 and 9 terms: float32 summation order
    # differences of ~1e-5 (measured 7.6e-6); quantize_linear rounds identically on both
    # backends here, so the quantized graph has the same bound
    assert_backends_agree(lambda b: _nhwc_block(b, False), {"x": x}, atol=1e-4)
    assert_backends_agree(lambda b: _nhwc_block(b, True), {"x": x}, atol=1e-4)


def _nhwc_pad_block(b: webnn.MLGraphBuilder, mode: str) -> dict[str, webnn.MLOperand]:
    """conv (nhwc) -> pad of the channels and spatial axes -> conv (nhwc): the BlazeFace-style
    channel pad between convolutions."""
    rng = np.random.default_rng(5)
    x = b.input("x", D("float32", [1, 6, 6, 4]))
    w1 = b.constant(rng.standard_normal((4, 3, 3, 4), dtype=np.float32))
    w2 = b.constant(rng.standard_normal((3, 1, 1, 7), dtype=np.float32))
    y = b.conv2d(x, w1, padding=[1, 1, 1, 1], input_layout="nhwc", filter_layout="ohwi")
    y = b.pad(y, [0, 1, 2, 0], [0, 2, 1, 3], mode=mode, value=0.5)
    return {"z": b.conv2d(y, w2, input_layout="nhwc", filter_layout="ohwi")}


@pytest.mark.parametrize("mode", ["constant", "edge", "reflection"])
def test_transposes_sink_through_pads(mode):
    b = webnn.MLGraphBuilder(webnn.ml.create_context())
    assert _transposes(b.build(_nhwc_pad_block(b, mode))) == 2
    x = np.random.default_rng(1).uniform(-2, 2, (1, 6, 6, 4)).astype(np.float32)
    # two convolutions of 36 and 7 terms on values up to ~30
    assert_backends_agree(lambda b: _nhwc_pad_block(b, mode), {"x": x}, atol=1e-4)


def _dequantized_weights(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
    """An int8 weight with a zero zero-point dequantized, times a float input: the
    emitter's Convert to float32 of float32 values and ``x - 0`` compute nothing."""
    rng = np.random.default_rng(7)
    x = b.input("x", D("float32", [3, 4]))
    q = b.constant(rng.integers(-128, 128, (3, 4), dtype=np.int8))
    scale = b.constant(np.full((3, 1), 0.25, np.float32))
    zero = b.constant(np.zeros((3, 1), np.int8))
    return {"y": b.mul(x, b.dequantize_linear(q, scale, zero))}


def test_identity_operations_are_dropped():
    b = webnn.MLGraphBuilder(webnn.ml.create_context())
    model = translate(b.build(_dequantized_weights(b)))
    ops = model.get_ordered_ops()
    assert not [op for op in ops if op.get_type_name() == "Subtract"]
    assert not [op for op in ops if op.get_type_name() == "Convert"
                and op.get_input_element_type(0) == op.get_output_element_type(0)]
    x = np.random.default_rng(2).uniform(-2, 2, (3, 4)).astype(np.float32)
    assert_backends_agree(_dequantized_weights, {"x": x}, ulp=0)


def test_reduced_precision_compile_failure_falls_back_to_float32(monkeypatch):
    """Reduced precision is a permission: a graph the CPU plugin cannot compile in bf16
    (seen with int8 FakeQuantize graphs) compiles in float32 instead of failing."""
    import webnn_core.backends.openvino as backend

    real = backend.core()
    seen = []

    class Core:
        def __getattr__(self, name):  # everything else is the real core's
            return getattr(real, name)

        def compile_model(self, model, device, config):
            seen.append(config["INFERENCE_PRECISION_HINT"])
            if config["INFERENCE_PRECISION_HINT"] != "f32":
                raise RuntimeError("No suitable implementations.")
            return real.compile_model(model, device, config)

    monkeypatch.setattr(backend, "core", lambda: Core())
    ctx = webnn.ml.create_context(precision="bfloat16")
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D("float32", [2, 3]))
    graph = b.build({"y": b.mul(x, b.constant(np.float32(3.0).reshape(1, 1)))})
    y = ctx.compute(graph, {"x": np.ones((2, 3), np.float32)})["y"]
    np.testing.assert_array_equal(y, np.full((2, 3), 3.0, np.float32))
    assert seen == ["bf16", "f32"]


# -- LRN fusion ------------------------------------------------------------------------------


def _lrn(b: webnn.MLGraphBuilder, x: webnn.MLOperand, lo: int, hi: int, alpha: float,
         beta: float, bias: float, alpha_shape: tuple[int, ...] = ()) -> dict:
    """The local response normalization as the ONNX translator emits it (channel window
    ``[c - lo, c + hi]``), with its intermediate values."""
    n, c = x.shape[:2]
    s = int(np.prod(x.shape[2:]))
    square = b.mul(x, x)
    padded = b.pad(b.reshape(square, [n, c, 1, s]), [0, lo, 0, 0], [0, hi, 0, 0])
    mean = b.reshape(b.average_pool2d(padded, window_dimensions=[lo + hi + 1, 1],
                                      layout="nhwc"), list(x.shape))
    alpha_c = b.constant(np.full(alpha_shape, alpha, np.float32))
    base = b.add(b.constant(np.array(bias, np.float32)), b.mul(alpha_c, mean))
    y = b.mul(x, b.pow(base, b.constant(np.array(-beta, np.float32))))
    return {"y": y, "square": square, "mean": mean}


def _runtime_layers(graph: webnn.MLGraph) -> list[str]:
    compiled = OpenVINOBackend.compiled_model(graph)
    return [op.get_rt_info()["layerType"].value
            for op in compiled.get_runtime_model().get_ordered_ops()]


def _lrn_expected(x: np.ndarray, lo: int, hi: int, alpha: float, beta: float,
                  bias: float) -> np.ndarray:
    """The ONNX LRN formula in float64."""
    x64 = x.astype(np.float64)
    square_sum = np.zeros_like(x64)
    for c in range(x.shape[1]):
        square_sum[:, c] = (x64[:, max(0, c - lo):c + hi + 1] ** 2).sum(axis=1)
    return x64 / (bias + alpha / (lo + hi + 1) * square_sum) ** beta


@pytest.mark.parametrize("shape,half,alpha,beta,bias", [
    ((2, 7, 5, 3), 1, 0.3, 0.75, 2.0),     # ONNX/Caffe-like, rank 4
    ((1, 16, 9, 9), 2, 1e-4, 0.75, 1.0),   # GoogLeNet's parameters
    ((2, 6, 5), 1, 0.5, 0.6, 3.0),         # rank 3, a beta without a square-root form
    ((1, 6, 3, 4, 5), 2, 0.2, 0.5, 1.0),   # rank 5
    ((3, 5), 0, 0.4, 1.0, 0.0),            # rank 2, window of one channel
])
def test_lrn_decomposition_becomes_one_lrn_layer(shape, half, alpha, beta, bias):
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32) * 3
    build = lambda b: {"y": _lrn(b, b.input("x", D("float32", list(shape))), half, half,  # noqa: E731
                                 alpha, beta, bias)["y"]}
    ref = assert_backends_agree(build, {"x": x}, ulp=8)
    ctx = webnn.ml.create_context()
    b = webnn.MLGraphBuilder(ctx)
    graph = b.build(build(b))
    layers = _runtime_layers(graph)
    assert layers.count("Lrn") == 1 and "Pooling" not in layers and "Pad" not in layers, layers
    want = _lrn_expected(x, half, half, alpha, beta, bias)
    np.testing.assert_allclose(ctx.compute(graph, {"x": x})["y"], want, rtol=2e-6)
    np.testing.assert_allclose(ref["y"], want, rtol=2e-6)


def test_lrn_chains_that_differ_are_not_fused():
    """An even window (not centred), an intermediate value someone else reads, a
    non-scalar alpha, a fractional bias (OpenVINO's CPU LRN truncates it): each stays a
    decomposition and still computes the same values."""
    x = np.random.default_rng(8).standard_normal((1, 6, 4, 4)).astype(np.float32)

    def variants(b: webnn.MLGraphBuilder) -> list[dict]:
        def inp() -> webnn.MLOperand:
            return b.input(f"x{len(built)}", D("float32", [1, 6, 4, 4]))
        built: list[dict] = []
        built.append({"y0": _lrn(b, inp(), 1, 2, 0.3, 0.75, 1.0)["y"]})
        chain = _lrn(b, inp(), 1, 1, 0.3, 0.75, 1.0)
        built.append({"y1": chain["y"], "mean1": chain["mean"]})
        built.append({"y2": _lrn(b, inp(), 1, 1, 0.3, 0.75, 1.0, alpha_shape=(1, 1, 1, 1))["y"]})
        chain = _lrn(b, inp(), 1, 1, 0.3, 0.75, 1.0)
        # the square is also read by another operator
        built.append({"y3": b.add(chain["y"], chain["square"])})
        built.append({"y4": _lrn(b, inp(), 1, 1, 0.3, 0.75, 1.5)["y"]})
        return built

    feeds = {f"x{i}": x for i in range(5)}
    for i in range(5):
        def build(b: webnn.MLGraphBuilder, i: int = i) -> dict:
            return variants(b)[i]
        b = webnn.MLGraphBuilder(webnn.ml.create_context())
        graph = b.build(build(b))
        assert "Lrn" not in _runtime_layers(graph), i
        used = {k: v for k, v in feeds.items() if k in graph.inputs}
        assert_backends_agree(build, used, atol=1e-5)


def _int8_conv_block(b: webnn.MLGraphBuilder, shared: bool = False
                     ) -> dict[str, webnn.MLOperand]:
    """A quantized model's channels-last convolution: int8 "ohwi" filter dequantized per
    output channel, the activation quantized and dequantized around it. ``shared``: the
    dequantized filter is also an output, so it must keep its channels-last values."""
    rng = np.random.default_rng(9)
    x = b.input("x", D("float32", [1, 6, 6, 4]))
    q = b.constant(rng.integers(-127, 128, (5, 3, 3, 4), dtype=np.int8))
    w_scale = b.constant(rng.uniform(0.01, 0.05, (5, 1, 1, 1)).astype(np.float32))
    w_zero = b.constant(np.zeros((5, 1, 1, 1), np.int8))
    w = b.dequantize_linear(q, w_scale, w_zero)
    scale = b.constant(np.full((1, 1, 1, 1), 0.125, np.float32))
    zero = b.constant(np.full((1, 1, 1, 1), 3, np.int8))
    xq = b.dequantize_linear(b.quantize_linear(x, scale, zero), scale, zero)
    y = b.conv2d(xq, w, padding=[1, 1, 1, 1], input_layout="nhwc", filter_layout="ohwi")
    y = b.dequantize_linear(b.quantize_linear(b.clamp(y, min_value=0.0, max_value=6.0),
                                              scale, zero), scale, zero)
    return {"y": y, "w": w} if shared else {"y": y}


def _filter_transposes(model) -> int:
    """Transposes read as a convolution's filter (input 1)."""
    return sum(1 for op in model.get_ordered_ops()
               if op.get_type_name() in ("Convolution", "GroupConvolution")
               and op.input_value(1).get_node().get_type_name() == "Transpose")


def _compiled_outputs(model, x: np.ndarray) -> list[np.ndarray]:
    from webnn_core.backends.openvino import core

    compiled = core().compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    result = compiled(x)
    return [np.array(result[out]) for out in compiled.outputs]


@pytest.mark.parametrize("shared", [False, True])
def test_dequantized_filter_transpose_moves_into_the_constants(monkeypatch, shared):
    """The OHWI -> OIHW Transpose of a dequantized int8 filter becomes transposed int8
    data and scale (one Convert and one Multiply left on the filter's path), unless the
    dequantized filter has another reader; the compiled graph computes bit for bit what
    it computes with the Transpose kept."""
    import webnn_core.backends.openvino as backend

    b = webnn.MLGraphBuilder(webnn.ml.create_context())
    graph = b.build(_int8_conv_block(b, shared))
    folded = translate(graph)
    with monkeypatch.context() as m:
        m.setattr(backend, "fold_constant_transposes", lambda model: model)
        kept = translate(graph)
    assert _filter_transposes(kept) == 1
    assert _filter_transposes(folded) == (1 if shared else 0)
    if not shared:
        assert len(folded.get_ordered_ops()) == len(kept.get_ordered_ops()) - 2
    x = np.random.default_rng(3).uniform(-3, 3, (1, 6, 6, 4)).astype(np.float32)
    for a, k in zip(_compiled_outputs(folded, x), _compiled_outputs(kept, x), strict=True):
        np.testing.assert_array_equal(a, k)


def _branching_chain(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
    """A channels-last conv whose result feeds an element-wise chain that branches (the
    clamp's result read twice) and joins again (a residual add), then another conv."""
    rng = np.random.default_rng(11)
    x = b.input("x", D("float32", [1, 5, 5, 3]))
    w1 = b.constant(rng.standard_normal((4, 3, 3, 3), dtype=np.float32))
    w2 = b.constant(rng.standard_normal((2, 1, 1, 4), dtype=np.float32))
    y = b.conv2d(x, w1, padding=[1, 1, 1, 1], input_layout="nhwc", filter_layout="ohwi")
    c = b.clamp(b.add(y, b.constant(np.linspace(-1, 1, 4, dtype=np.float32))),
                min_value=0.0, max_value=6.0)
    z = b.add(b.mul(c, b.constant(np.float32(0.5).reshape(1, 1, 1, 1))), b.sigmoid(c))
    return {"z": b.conv2d(b.sub(z, c), w2, input_layout="nhwc", filter_layout="ohwi"),
            "c": c}


def test_transposes_sink_along_chains_and_branches():
    """Along single-consumer chains the Transpose moves to the chain's end at once; at a
    branch each consumer gets its own, and they meet again at the join: only the
    boundary Transposes stay (the input's, and the two outputs')."""
    b = webnn.MLGraphBuilder(webnn.ml.create_context())
    assert _transposes(b.build(_branching_chain(b))) == 3
    x = np.random.default_rng(2).uniform(-2, 2, (1, 5, 5, 3)).astype(np.float32)
    assert_backends_agree(_branching_chain, {"x": x}, atol=1e-4)


def _transposed_weights_output(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
    """A graph output that is the transpose of a dequantized int8 constant."""
    q = b.constant(np.arange(-12, 12, dtype=np.int8).reshape(2, 3, 4))
    w = b.dequantize_linear(q, b.constant(np.full((2, 1, 1), 0.5, np.float32)),
                            b.constant(np.full((2, 1, 1), 1, np.int8)))
    x = b.input("x", D("float32", [4, 3, 2]))
    return {"w": b.transpose(w, permutation=[2, 1, 0]), "y": b.add(x, x)}


def test_transpose_of_constants_read_as_graph_output_is_kept():
    """A Transpose that is a graph output keeps it (its Result carries the output's
    name); the values are the reference's."""
    x = np.ones((4, 3, 2), np.float32)
    assert_backends_agree(_transposed_weights_output, {"x": x}, ulp=0)
