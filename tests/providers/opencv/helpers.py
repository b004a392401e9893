"""Shared checks for the OpenCV DNN WebNN-backend tests: build ONNX models with
``onnx.helper``, run them on plain OpenCV (the oracle: same model, default backend) and on
``DNN_BACKEND_WEBNN``, and compare.

When the two disagree, the failure message also reports how far each is from
``onnx.reference`` (the ONNX spec's Python evaluator), so the message says who is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from webnn_providers import opencv as webnn_cv
from webnn_providers.report import PartitionReport

#: default opset of the built models (OpenCV 4.14's importer handles 13-17 well)
OPSET = 13

Shape = Sequence[int | str]
#: an input: its shape (float32), or (shape, ONNX element type)
InputSpec = Shape | tuple[Shape, int]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def weight(seed: int, *shape: int, scale: float = 1.0) -> np.ndarray:
    """Seeded float32 standard-normal values times ``scale``."""
    return (rng(seed).standard_normal(shape) * scale).astype(np.float32)


def node(op: str, inputs: Sequence[str], outputs: Sequence[str], name: str,
         **attrs: object) -> onnx.NodeProto:
    return helper.make_node(op, list(inputs), list(outputs), name=name, **attrs)


def _input_info(name: str, spec: InputSpec) -> onnx.ValueInfoProto:
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], int) and \
            not isinstance(spec[0], int):
        shape, elem = spec
    else:
        shape, elem = spec, TensorProto.FLOAT
    return helper.make_tensor_value_info(name, elem, list(shape))


def build_model(nodes: Sequence[onnx.NodeProto], inputs: Mapping[str, InputSpec],
                outputs: Sequence[str], inits: Mapping[str, np.ndarray] | None = None,
                opset: int = OPSET, value_info: Mapping[str, Shape] | None = None,
                output_shapes: Mapping[str, Shape] | None = None) -> onnx.ModelProto:
    """A checked model; output types and shapes come from ``output_shapes`` or ONNX shape
    inference (OpenCV's importer requires a shape on every graph output)."""
    shapes = dict(output_shapes or {})
    graph = helper.make_graph(
        list(nodes), "test", [_input_info(n, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT,
                                       list(shapes[n]) if n in shapes else None)
         for n in outputs],
        [numpy_helper.from_array(np.asarray(a), n) for n, a in (inits or {}).items()],
        value_info=[helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s))
                    for n, s in (value_info or {}).items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              ir_version=8)
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    for out in model.graph.output:
        assert out.type.tensor_type.HasField("shape"), f"no inferred shape for {out.name}"
    onnx.checker.check_model(model)
    return model


# -- running ---------------------------------------------------------------------------------


def _forward(net: object, names: Sequence[str] | None) -> list[np.ndarray]:
    if names is None:
        return [np.array(net.forward())]
    return [np.array(a) for a in net.forward(list(names))]


def _set_inputs(net: object, feeds: Mapping[str, np.ndarray]) -> None:
    for name, array in feeds.items():
        net.setInput(array, name)


def run_plain(data: bytes, feeds: Mapping[str, np.ndarray],
              names: Sequence[str] | None = None) -> list[np.ndarray]:
    """Plain OpenCV (default backend); ``names``: forward(names), else forward()."""
    net = cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))
    _set_inputs(net, feeds)
    return _forward(net, names)


def webnn_net(data: bytes, **options: object) -> webnn_cv.WebNNNet:
    net = webnn_cv.readNetFromONNX(data, **options)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_WEBNN)
    return net


def run_webnn(data: bytes, feeds: Mapping[str, np.ndarray],
              names: Sequence[str] | None = None, **options: object
              ) -> tuple[list[np.ndarray], PartitionReport]:
    net = webnn_net(data, **options)
    _set_inputs(net, feeds)
    return _forward(net, names), net.partition_report()


def run_onnx_reference(model: onnx.ModelProto, feeds: Mapping[str, np.ndarray],
                       names: Sequence[str] | None = None) -> list[np.ndarray] | None:
    """onnx.reference's outputs (None when it cannot run the model)."""
    from onnx.reference import ReferenceEvaluator

    try:
        outs = ReferenceEvaluator(model).run(list(names) if names else None, dict(feeds))
    except Exception:  # noqa: BLE001 - only an arbiter for failure messages
        return None
    return [np.asarray(o) for o in outs]


# -- comparing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tol:
    """``|got - want| <= atol * max(1, max|want|) + rtol * |want|`` (atol scaled to the
    output's magnitude for accumulating ops, as conv/matmul chains need)."""

    rtol: float
    atol: float
    scaled: bool = True

    def bound(self, want: np.ndarray) -> np.ndarray:
        scale = max(1.0, float(np.max(np.abs(want)))) if self.scaled and want.size else 1.0
        return self.atol * scale + self.rtol * np.abs(want)


#: data movement, max/relu/compare-like ops: bit-exact
EXACT = Tol(0.0, 0.0, scaled=False)
#: element-wise arithmetic and transcendental functions (a few float32 ULP)
ELEMENTWISE = Tol(4e-6, 1e-6, scaled=False)
#: convolution / matmul / reduction chains
ACCUM = Tol(1e-4, 1e-5)


def mismatch(got: np.ndarray, want: np.ndarray, tol: Tol) -> str | None:
    """None when ``got`` matches ``want`` within ``tol`` (NaNs must match), else a short
    description of the worst element."""
    if got.shape != want.shape:
        return f"shape {got.shape} != expected {want.shape}"
    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    nan_got, nan_want = np.isnan(got64), np.isnan(want64)
    if not np.array_equal(nan_got, nan_want):
        return f"NaN at {int(nan_got.sum())} places, expected {int(nan_want.sum())}"
    diff = np.where(nan_want, 0.0, np.abs(got64 - want64))
    excess = diff - tol.bound(np.where(nan_want, 0.0, want64))
    if want.size == 0 or float(excess.max()) <= 0.0:
        return None
    worst = np.unravel_index(int(np.argmax(excess)), want.shape)
    return (f"{int((excess > 0).sum())}/{want.size} elements out of tolerance {tol}; worst "
            f"at {tuple(int(i) for i in worst)}: got {got64[worst]!r}, expected "
            f"{want64[worst]!r} (max |diff| {float(diff.max()):.3g}, max |expected| "
            f"{float(np.max(np.abs(want64))):.3g})")


def assert_outputs_match(got: Sequence[np.ndarray], want: Sequence[np.ndarray], tol: Tol,
                         *, model: onnx.ModelProto | None = None,
                         feeds: Mapping[str, np.ndarray] | None = None,
                         names: Sequence[str] | None = None, context: str = "") -> None:
    """WebNN's outputs (``got``) equal plain OpenCV's (``want``) within ``tol``; on a
    mismatch the message adds each side's distance to onnx.reference."""
    assert len(got) == len(want), f"{context}: {len(got)} outputs, expected {len(want)}"
    problems = []
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        problem = mismatch(np.asarray(g), np.asarray(w), tol)
        if problem:
            problems.append(f"output {k}: {problem}")
    if not problems:
        return
    arbiter = ""
    if model is not None and feeds is not None:
        ref = run_onnx_reference(model, feeds, names)
        if ref is not None and len(ref) == len(got):
            parts = []
            for k, (g, w, r) in enumerate(zip(got, want, ref, strict=True)):
                if np.shape(r) == np.shape(g) == np.shape(w):
                    parts.append(f"output {k}: max |WebNN - onnx.reference| "
                                 f"{float(np.max(np.abs(g - r), initial=0)):.3g}, max "
                                 f"|OpenCV - onnx.reference| "
                                 f"{float(np.max(np.abs(w - r), initial=0)):.3g}")
                else:
                    parts.append(f"output {k}: shapes WebNN {np.shape(g)}, OpenCV "
                                 f"{np.shape(w)}, onnx.reference {np.shape(r)}")
            arbiter = "\n  arbiter: " + "; ".join(parts)
    raise AssertionError(f"{context}: WebNN backend != plain OpenCV:\n  " +
                         "\n  ".join(problems) + arbiter)


def run_ort(data: bytes, feeds: Mapping[str, np.ndarray],
            names: Sequence[str] | None = None) -> list[np.ndarray]:
    """onnxruntime's CPU EP (the oracle for models plain OpenCV cannot import)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3
    session = ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])
    return [np.asarray(a) for a in session.run(list(names) if names else None, dict(feeds))]


def expected_outputs(model: onnx.ModelProto, feeds: Mapping[str, np.ndarray],
                     names: Sequence[str] | None, oracle: str) -> list[np.ndarray]:
    """The oracle's outputs: "opencv" (plain OpenCV), "onnx" (onnx.reference) or "ort"."""
    data = model.SerializeToString()
    if oracle == "opencv":
        return run_plain(data, feeds, names)
    if oracle == "ort":
        return run_ort(data, feeds, names)
    if oracle == "onnx":
        ref = run_onnx_reference(model, feeds, names)
        assert ref is not None, "onnx.reference cannot run the model"
        return ref
    raise ValueError(oracle)


def check(model: onnx.ModelProto, feeds: Mapping[str, np.ndarray], tol: Tol, *,
          names: Sequence[str] | None = None, taken: Sequence[str] | None = None,
          partitions: Sequence[Sequence[str]] | None = None, oracle: str = "opencv",
          **options: object) -> PartitionReport:
    """Run ``model`` on the oracle (plain OpenCV unless ``oracle`` says otherwise, see
    :func:`expected_outputs`) and on the WebNN backend: outputs match within ``tol``;
    ``taken``: the names of exactly the nodes WebNN takes (default: every node);
    ``partitions``: the node names of each partition, in any order."""
    data = model.SerializeToString()
    want = expected_outputs(model, feeds, names, oracle)
    got, report = run_webnn(data, feeds, names, **options)
    summary = report.summary()
    nodes_taken = sorted(n.name for n in report.nodes if n.supported)
    expected = sorted(taken if taken is not None else (n.name for n in model.graph.node))
    assert nodes_taken == expected, f"nodes taken {nodes_taken} != {expected}\n{summary}"
    if partitions is not None:
        groups = [sorted(n.name for n in g) for g in report.partition_nodes()]
        assert sorted(groups) == sorted(sorted(p) for p in partitions), \
            f"partitions {groups}\n{summary}"
    assert_outputs_match(got, want, tol, model=model, feeds=feeds, names=names,
                         context=f"oracle {oracle}; {summary}")
    return report


# -- sandwiches ------------------------------------------------------------------------------

#: the nodes a sandwich adds that OpenCV runs (WebNN has no float64)
CAST_NODES = ("to64_in", "to32_in", "to64_out", "to32_out")


def sandwich(core: Sequence[onnx.NodeProto], source: str = "a", result: str = "b"
             ) -> list[onnx.NodeProto]:
    """``x -> Neg 'pre' -> Cast(DOUBLE) -> Cast(FLOAT) -> core -> Cast(DOUBLE) ->
    Cast(FLOAT) -> Neg 'post' -> y``: the float64 round trips (exact for float32 values)
    stay with OpenCV, so WebNN runs three partitions {pre}, {core}, {post} that alternate
    with OpenCV nodes. ``core`` reads ``source`` and writes ``result``."""
    return [
        node("Neg", ["x"], ["sw_p"], "pre"),
        node("Cast", ["sw_p"], ["sw_p64"], "to64_in", to=TensorProto.DOUBLE),
        node("Cast", ["sw_p64"], [source], "to32_in", to=TensorProto.FLOAT),
        *core,
        node("Cast", [result], ["sw_b64"], "to64_out", to=TensorProto.DOUBLE),
        node("Cast", ["sw_b64"], ["sw_c"], "to32_out", to=TensorProto.FLOAT),
        node("Neg", ["sw_c"], ["y"], "post"),
    ]


def report_kinds(report: PartitionReport) -> dict[str, str]:
    """Refused node name -> kind."""
    return {n.name: n.kind for n in report.fallback}
