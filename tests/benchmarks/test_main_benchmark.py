"""Tests of the main benchmark harness ``python -m benchmarks`` (benchmarks/cli.py,
benchmarks/frameworks/: adapters, parity.py, results.py): argument parsing, model planning, the
parity rule, result files, a tiny model through every framework, and failures reported rather
than raised. Nothing is timed: latencies are only checked to exist.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from webnn_providers.testing import onnx_models as model_zoo

from benchmarks import cli
from benchmarks import frameworks as fw
from benchmarks.frameworks import _onnx, results
from benchmarks.frameworks.base import Framework
from benchmarks.frameworks.parity import agreement

QUICK = ["--runs", "1", "--warmup", "0"]


# -- fixtures ----------------------------------------------------------------------------------


def conv_relu_model(batch: int | str = 1, height: int | str = 8) -> onnx.ModelProto:
    """y = relu(conv(x, w) + b): x [batch, 3, height, 8], 4 output channels, pads 1."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32) * 0.1, "b")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["y"])], "conv_relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3, height, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 4, height, 8])],
        [w, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = model_zoo.IR_VERSION
    return model


@pytest.fixture
def onnx_path(tmp_path: Path) -> str:
    path = tmp_path / "conv_relu.onnx"
    onnx.save(conv_relu_model(), path)
    return str(path)


@pytest.fixture
def tflite_path(tmp_path: Path) -> str:
    pytest.importorskip("ai_edge_litert")
    from webnn_providers.testing import tflite_models

    path = tmp_path / "tiny.tflite"
    path.write_bytes(tflite_models.tiny_cnn(seed=0))
    return str(path)


def run(argv: list[str]) -> dict[str, Any]:
    return cli.run(cli.parse_args(argv), stream=io.StringIO())


def entry(result: dict[str, Any], framework: str) -> dict[str, Any]:
    return next(e for e in result["results"] if e["framework"] == framework)


# -- arguments ---------------------------------------------------------------------------------


def test_parse_defaults() -> None:
    args = cli.parse_args([])
    assert args.framework == ["onnxruntime", "opencv", "tflite"]
    assert not args.explicit_framework and args.model is None and args.out is None
    assert (args.runs, args.warmup, args.precision) == (cli.DEFAULT_RUNS, cli.DEFAULT_WARMUP,
                                                        "exact")


def test_parse_choices() -> None:
    args = cli.parse_args(["--framework", "tflite", "--framework", "opencv", "--model", "a.onnx",
                           "--model", "b.tflite", "--precision", "fast", "--runs", "50",
                           "--warmup", "5", "--out", "res"])
    assert args.framework == ["tflite", "opencv"] and args.explicit_framework
    assert args.model == ["a.onnx", "b.tflite"] and args.precision == "fast"
    assert (args.runs, args.warmup, args.out) == (50, 5, "res")
    assert cli.parse_args(["--framework", "all"]).framework == list(fw.FRAMEWORKS)


@pytest.mark.parametrize("argv, message", [
    (["--framework", "caffe"], "invalid choice: 'caffe'"),
    (["--precision", "half"], "invalid choice: 'half'"),
    (["--runs", "0"], "--runs must be >= 1"),
    (["--warmup", "-1"], "--warmup must be >= 0"),
    (["--runs", "many"], "invalid int value"),
    (["--input-shape", "x"], "expected NAME=D1,D2,..."),
    (["--input-shape", "x=1,a"], "expected NAME=D1,D2,..."),
    (["--input-shape", "x=1,0"], "expected NAME=D1,D2,..."),
])
def test_parse_rejects(argv: list[str], message: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


# -- models and planning -----------------------------------------------------------------------


def test_default_models() -> None:
    assert fw.get("tflite").default_models() == ["mobilenet_v2", "mobilenet_v2_int8"]
    light = [n for n in model_zoo.DEFAULT_LIGHT if (model_zoo.LIGHT_DIR / (
        model_zoo.LIGHT_MODELS[n] + ".onnx")).exists()]
    assert light == ["squeezenet", "resnet50", "googlenet", "densenet121", "shufflenet"]
    for name in ("onnxruntime", "opencv"):
        assert fw.get(name).default_models() == light


class Stub(Framework):
    """An adapter whose availability and runtimes the tests choose."""

    labels = {"host": "stub host", "webnn": "stub webnn", "native": "stub native"}

    def __init__(self, name: str, why: str | None = None, models: tuple = ("m1",),
                 extensions: tuple = (".onnx",), broken: tuple = ()) -> None:
        self.name, self.why, self.models, self.extensions = name, why, list(models), extensions
        self.broken = broken

    def available(self) -> str | None:
        return self.why

    def default_models(self) -> list[str]:
        return self.models

    def prepare(self, model: str, workdir: Path, seed: int,
                input_shapes: dict | None = None) -> fw.Prepared:
        return fw.Prepared(model, self.name, "built-in", "-", {}, [None])

    def _runtime(self, role: str) -> fw.Runtime:
        if role in self.broken:
            raise RuntimeError(f"{role} cannot run this")
        cover = {"nodes": 2, "delegated": 1, "share": 0.5, "partitions": 1,
                 "fallback": {"Foo": 1}, "fallback_reasons": {}} if role == "webnn" else None
        return fw.Runtime(role, role, lambda: None, [np.ones(3, np.float32)], 0.1, cover)

    def host(self, prepared: fw.Prepared) -> fw.Runtime:
        return self._runtime("host")

    def webnn(self, prepared: fw.Prepared, precision: str) -> fw.Runtime:
        return self._runtime("webnn")

    def native(self, prepared: fw.Prepared, precision: str) -> fw.Runtime:
        return self._runtime("native")


def test_plan_default_is_model_major() -> None:
    adapters = {"a": Stub("a", models=("m1", "m2")), "b": Stub("b", models=("m1",)),
                "c": Stub("c", why="not installed")}
    jobs = cli.plan(list(adapters), None, adapters=adapters)
    assert [(j.model, j.framework, j.reason) for j in jobs] == [
        ("m1", "a", None), ("m1", "b", None), ("m2", "a", None),
        ("-", "c", "not available: not installed")]


def test_plan_user_files() -> None:
    adapters = {"onnxruntime": Stub("onnxruntime"),
                "tflite": Stub("tflite", models=("t1",), extensions=(".tflite",))}
    jobs = cli.plan(list(adapters), ["x.onnx", "y.tflite", "z.pb", "t1", "nope"],
                    adapters=adapters)
    got = [(j.model, j.framework, j.reason is None) for j in jobs]
    assert got[:3] == [("x.onnx", "onnxruntime", True), ("y.tflite", "tflite", True),
                       ("z.pb", "-", False)]
    assert got[3:] == [("t1", "tflite", True), ("nope", "-", False)]
    assert "built-in: m1, t1" in jobs[4].reason
    # an explicitly chosen framework that does not read the file says why
    only = {"tflite": adapters["tflite"]}
    jobs = cli.plan(["tflite"], ["x.onnx"], explicit=True, adapters=only)
    assert [(j.framework, j.reason) for j in jobs] == [
        ("tflite", "tflite does not read .onnx files (it reads .tflite)")]


def test_fix_batch() -> None:
    model = conv_relu_model(batch="N")
    assert _onnx.fix_batch(model) == ["x"]
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [1, 3, 8, 8]
    with pytest.raises(ValueError, match=r"other than the batch: x \[N, 3, H, 8\]"):
        _onnx.fix_batch(conv_relu_model(batch="N", height="H"))


def test_parse_input_shapes() -> None:
    args = cli.parse_args(["--input-shape", "x=1,3,16,8", "--input-shape", "a=b=2"])
    assert args.input_shape == [("x", [1, 3, 16, 8]), ("a=b", [2])]
    assert cli.parse_args([]).input_shape == []


def test_set_input_shapes() -> None:
    """--input-shape fixes symbolic dimensions by input name; a static one keeps its size."""
    model = conv_relu_model(batch="N", height="H")
    _onnx.set_input_shapes(model, {"x": [2, 3, 16, 8]})
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [2, 3, 16, 8]
    assert _onnx.fix_batch(model) == []
    other = conv_relu_model(batch="N", height="H")
    _onnx.set_input_shapes(other, {"y": [1, 3, 8, 8]})  # not this model's input: ignored
    assert other.SerializeToString() == conv_relu_model(batch="N", height="H").SerializeToString()
    for shapes, message in [({"x": [1, 3, 8]}, "3 dimensions given, the input has 4"),
                            ({"x": [1, 4, 8, 8]}, "dimension 1 is 3 in the model, not 4")]:
        with pytest.raises(ValueError, match=message):
            _onnx.set_input_shapes(conv_relu_model(batch="N", height="H"), shapes)


def test_tiny_onnx_symbolic_spatial_with_input_shape(tmp_path: Path) -> None:
    """A model with symbolic H: refused without --input-shape, run with it."""
    path = tmp_path / "spatial.onnx"
    onnx.save(conv_relu_model(batch="N", height="H"), path)
    argv = ["--framework", "onnxruntime", "--model", str(path), *QUICK]
    refused = entry(run(argv), "onnxruntime")
    assert refused["status"] == "failed" and "--input-shape" in refused["reason"]
    e = entry(run([*argv, "--input-shape", "x=1,3,12,8"]), "onnxruntime")
    assert e["status"] == "ok" and e["info"]["inputs"] == {"x": [1, 3, 12, 8]}


# -- parity rule -------------------------------------------------------------------------------


def test_agreement_float_rule() -> None:
    ref = np.array([0.0, 2.0, -4.0], np.float32)  # scale 4: tolerance 4e-3 + 1e-4
    assert agreement([ref + 0.004], [ref], [None])["agree"]
    assert not agreement([ref + 0.0042], [ref], [None])["agree"]
    assert agreement([ref + 0.15], [ref], [None], "fast")["agree"]  # 5e-2 * 4 + 1e-3
    flat = agreement([ref.reshape(1, 3, 1)], [ref], [None])
    assert flat["agree"] and flat["max_abs_diff"] == 0.0
    assert not agreement([np.zeros(4)], [ref], [None])["agree"]
    assert not agreement([ref, ref], [ref], [None])["agree"]


def test_agreement_top1_on_class_scores() -> None:
    scores = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], np.float32)
    same = agreement([scores + 0.01], [scores], [None], "fast")
    assert same["top1_agree"] and same["outputs"][0]["top1_agree"]
    swapped = scores[:, [1, 0, 2]]
    assert agreement([swapped], [scores], [None], "fast")["top1_agree"] is False
    nchw = agreement([scores.reshape(2, 3, 1, 1)], [scores.reshape(2, 3, 1, 1)], [None])
    assert nchw["top1_agree"]
    assert "top1_agree" not in agreement([np.zeros((2, 3, 4))], [np.zeros((2, 3, 4))], [None])


def test_agreement_quantized_rule() -> None:
    ref = np.zeros(200, np.int8)
    off = ref.copy()
    off[:2] = 5  # 99% within one step
    assert agreement([off], [ref], [None])["agree"]
    off[2] = 2  # 98.5%
    result = agreement([off], [ref], [None])
    assert not result["agree"] and result["outputs"][0]["max_steps"] == 5
    # a dequantized float output compares in its steps
    step = 1 / 256
    deq = np.zeros(100, np.float32)
    assert agreement([deq + step], [deq], [step])["agree"]
    assert not agreement([deq + 2 * step], [deq], [step])["agree"]


# -- running -----------------------------------------------------------------------------------


def test_tiny_onnx_model_every_onnx_framework(onnx_path: str) -> None:
    result = run(["--model", onnx_path, *QUICK])
    ort = entry(result, "onnxruntime")
    assert ort["status"] == "ok", ort
    assert set(ort["latency"]) == set(fw.ROLES) and ort["latency"]["webnn"]["n"] == 1
    assert ort["coverage"]["delegated"] == ort["coverage"]["nodes"] >= 1
    assert ort["coverage"]["partitions"] == 1
    assert ort["parity"]["webnn_vs_host"]["agree"] and ort["parity"]["native_vs_host"]["agree"]
    assert all(ort["first_run_s"][r] > 0 for r in fw.ROLES)
    assert set(ort["ratios"]) == {"webnn_vs_host", "webnn_vs_native"}
    cv = entry(result, "opencv")
    if fw.get("opencv").available() is None:
        assert cv["status"] == "ok", cv
        assert cv["parity"]["webnn_vs_host"]["agree"]
    else:
        assert cv["status"] == "not run" and cv["reason"].startswith("not available")


def test_tiny_onnx_symbolic_batch(tmp_path: Path) -> None:
    path = tmp_path / "dynamic.onnx"
    onnx.save(conv_relu_model(batch="N"), path)
    e = entry(run(["--framework", "onnxruntime", "--model", str(path), *QUICK]), "onnxruntime")
    assert e["status"] == "ok" and e["info"]["batch_fixed_to_1"] == ["x"]
    assert e["info"]["inputs"] == {"x": [1, 3, 8, 8]}


def test_tiny_tflite_model(tflite_path: str) -> None:
    e = entry(run(["--model", tflite_path, "--precision", "exact", *QUICK]), "tflite")
    assert e["status"] == "ok", e
    assert e["coverage"]["nodes"] >= 7 and e["coverage"]["delegated"] >= 1
    assert e["parity"]["webnn_vs_host"]["agree"] and e["parity"]["native_vs_host"]["agree"]
    assert e["labels"]["host"] == "TFLite XNNPACK"


def test_opencv_adapter_with_stand_in_provider(onnx_path: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The OpenCV adapter's plumbing, with a stand-in for ``webnn_providers.opencv.readNet``
    (a cv2 net on its default backend and a one-partition report)."""
    cv2 = pytest.importorskip("cv2")
    from webnn_providers import opencv as webnn_cv
    from webnn_providers.report import NodeReport, PartitionReport

    class Net:
        def __init__(self, path: str) -> None:
            self.net = cv2.dnn.readNet(path)

        def setPreferableBackend(self, backend: int) -> None:  # noqa: N802 - cv2's API
            assert backend == cv2.dnn.DNN_BACKEND_WEBNN

        def partition_report(self) -> PartitionReport:
            nodes = [NodeReport(0, "conv", "Conv", "", True), NodeReport(1, "relu", "Relu", "",
                                                                          True)]
            return PartitionReport(nodes, [[0, 1]])

        def __getattr__(self, name: str) -> Any:
            return getattr(self.net, name)

    calls = []

    def read_net(path: str, **options: Any) -> Net:
        calls.append(options)
        return Net(path)

    monkeypatch.setattr(webnn_cv, "readNet", read_net, raising=False)
    result = run(["--framework", "opencv", "--model", onnx_path, "--precision", "fast", *QUICK])
    e = entry(result, "opencv")
    assert "fast/exact" in results.format_table(result)
    assert e["status"] == "ok", e
    # fast, then WebNN at exact precision in the same rounds (fast/exact of one run)
    assert [c["precision"] for c in calls] == ["fast", None]
    assert all(c["backend"] == "openvino" and c["device"] == "CPU" for c in calls)
    assert "webnn_vs_webnn_exact" in e["ratios"] and "webnn_exact" in e["latency"]
    assert e["coverage"] == {"nodes": 2, "delegated": 2, "share": 1.0, "partitions": 1,
                             "fallback": {}, "fallback_reasons": {}}
    assert e["parity"]["webnn_vs_host"]["agree"] and e["parity"]["native_vs_host"]["agree"]


def test_failures_are_reported(tmp_path: Path, onnx_path: str) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    result = run(["--framework", "onnxruntime", "--model", str(broken), "--model",
                  str(tmp_path / "missing.onnx"), "--model", onnx_path, *QUICK])
    bad, missing, good = result["results"]
    assert bad["status"] == "failed" and bad["reason"] and bad["traceback"]
    assert missing["status"] == "failed" and "no such model file" in missing["reason"]
    assert good["status"] == "ok"
    table = results.format_table(result)
    assert [e["model"] for e in result["results"]] == ["broken.onnx", "missing.onnx",
                                                       "conv_relu.onnx"]
    assert "failed: " in table and "conv_relu.onnx" in table


def test_failing_runtime_gives_partial_row(tmp_path: Path) -> None:
    stub = Stub("stub", broken=("native",))
    args = cli.parse_args(QUICK)
    bar = cli.ProgressBar(100, io.StringIO())
    e = cli.run_job(cli.Job("m1", "stub"), stub, tmp_path, args, bar)
    assert e["status"] == "partial" and set(e["latency"]) == {"host", "webnn"}
    assert e["failed"]["native"]["reason"] == "RuntimeError: native cannot run this"
    assert e["failed"]["native"]["traceback"][-1].endswith("in _runtime")
    assert set(e["ratios"]) == {"webnn_vs_host"} and e["parity"]["webnn_vs_host"]["agree"]
    assert "native: RuntimeError" in results.format_table(
        {"settings": {**vars(args), "webnn_precision": "float32"}, "environment": {},
         "results": [e]})


# -- output ------------------------------------------------------------------------------------


def test_result_files(tflite_path: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "res"
    code = cli.main(["--framework", "tflite", "--model", tflite_path, *QUICK, "--out",
                     str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "tiny.tflite" in printed and "WebNN/" in printed and str(out / "chart.png") in printed
    data = json.loads((out / "results.json").read_text())
    assert {"settings", "environment", "results", "wall_s"} <= set(data)
    assert data["results"][0]["status"] == "ok"
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == results.CSV_COLUMNS and len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["framework"] == "tflite" and float(row["webnn_median_ms"]) > 0
    assert row["webnn_agrees"] == "True"
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_bar_lines() -> None:
    stream = io.StringIO()
    bar = cli.ProgressBar(4, stream)
    bar.stage("preparing")
    bar.advance(2)
    bar.stage("timing")
    bar.close()
    assert stream.getvalue().splitlines() == [
        "[............................]   0% preparing",
        "[##############..............]  50% timing"]


def test_cache_dir_second_process(onnx_path: str, tmp_path: Path) -> None:
    """--cache-dir: WebNN and OpenVINO compile into OpenVINO's cache in this process, and
    a second process finds every compiled model there (first runs reported, no timing
    asserted)."""
    cache = tmp_path / "cache"
    result = run(["--framework", "onnxruntime", "--model", onnx_path, *QUICK,
                  "--cache-dir", str(cache)])
    e = entry(result, "onnxruntime")
    assert e["status"] == "ok" and result["settings"]["cache_dir"] == str(cache)
    assert any(cache.iterdir())
    assert set(e["first_run_cached_s"]) == {"webnn", "native"}
    assert e["loaded_from_cache"] == {"webnn": True, "native": True}
    assert result["process_warmup_s"] >= 0
    assert "loaded WebNN/OV" in results.format_table(result)
    row = results.csv_row(e, result["settings"])
    assert row["webnn_first_run_cached_s"] != ""
