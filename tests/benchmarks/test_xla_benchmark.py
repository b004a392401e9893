"""``python -m benchmarks --backend xla --device ...`` (issue 16, benchmark part): option
parsing, the precision mapping, the table with the direct-XLA anchor column and without it,
the anchor's parity with ONNX Runtime's CPU EP on the seeded ResNet-50
(benchmarks/frameworks/xla_anchor.py), and that the default run is unchanged. All on the CPU
(XLA:CPU), restricted to ResNet-50 or a tiny model on the onnxruntime framework; nothing is
timed. Tests that need jax skip without it.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from webnn_providers.testing import onnx_models as model_zoo

from benchmarks import cli
from benchmarks import frameworks as fw
from benchmarks.frameworks import results
from benchmarks.frameworks.parity import FLOAT_TOLERANCE, agreement

from .test_main_benchmark import conv_relu_model

QUICK = ["--runs", "2", "--warmup", "1"]
ORT = ["--framework", "onnxruntime"]


def _jax() -> Any:
    return pytest.importorskip("jax")


def run(argv: list[str]) -> dict[str, Any]:
    return cli.run(cli.parse_args(argv), stream=io.StringIO())


@pytest.fixture
def onnx_path(tmp_path: Path) -> str:
    path = tmp_path / "conv_relu.onnx"
    onnx.save(conv_relu_model(), path)
    return str(path)


# -- arguments and precision -------------------------------------------------------------------


def test_parse_backend_and_device() -> None:
    args = cli.parse_args([])
    assert (args.backend, args.device) == ("openvino", None)
    args = cli.parse_args(["--backend", "xla", "--device", "gpu", "--precision", "fast"])
    assert (args.backend, args.device, args.precision) == ("xla", "gpu", "fast")
    assert cli.parse_args(["--backend", "xla", "--device", "CPU"]).device == "CPU"
    assert cli.parse_args(["--device", "GPU"]).device == "GPU"  # OpenVINO checks its own


@pytest.mark.parametrize("argv, message", [
    (["--backend", "tensorrt"], "invalid choice: 'tensorrt'"),
    (["--backend", "xla", "--device", "tpu"], "the xla backend takes cpu, gpu, cuda"),
    (["--backend", "reference"], "invalid choice: 'reference'"),
])
def test_parse_rejects(argv: list[str], message: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_precision_mapping() -> None:
    """exact is float32 everywhere; fast is each backend's "fast", resolved per device into
    what OpenVINO's column and the anchor use too."""
    for backend in ("openvino", "xla"):
        assert fw.webnn_precision("exact", backend) == "float32"
        assert fw.webnn_precision("fast", backend) == "fast"
    assert fw.precision_choice("exact").precision == "float32"
    _jax()
    from webnn_core.backends.xla import XLA_PRECISIONS

    choice = fw.precision_choice("fast", "xla", "cpu")
    assert choice.requested == "fast" and choice.precision in XLA_PRECISIONS


def test_adapters_take_backend_and_device() -> None:
    ort = fw.get("onnxruntime", "xla", "gpu")
    assert ort.webnn_options("fast") == {"backend": "xla", "device": "gpu", "precision": "fast"}
    assert ort.labels["native"] == "XLA direct (jax.lax)"
    assert fw.get("onnxruntime").labels["native"] == "OpenVINO"  # the class is untouched
    assert fw.get("tflite", "xla").webnn_options("exact") == {
        "backend": "xla", "device": "cpu", "precision": "float32"}


# -- the default run is unchanged ----------------------------------------------------------------


def test_default_run_unchanged(onnx_path: str) -> None:
    """Without --backend/--device: OpenVINO backend on the CPU in every host, OpenVINO as
    the third runtime, the same table header and options as before."""
    assert fw.get("onnxruntime").webnn_options("exact") == {
        "backend": "openvino", "device": "CPU", "precision": "float32"}
    assert fw.get("onnxruntime").webnn_options("fast")["precision"] == "fast"
    assert results.HEADER == (
        f"{'model':18} {'framework':11} {'host ms':>13} {'WebNN ms':>13} "
        f"{'OpenVINO ms':>13} {'WebNN/':>7} {'WebNN/':>7} {'WebNN took':>20}  "
        f"{'first run s':>15} {'agree':>8}\n"
        f"{'':18} {'':11} {'median/p90':>13} {'median/p90':>13} {'median/p90':>13} "
        f"{'host':>7} {'OV':>7} {'nodes':>9} {'':>4} {'parts':>5}  "
        f"{'host/WebNN/OV':>15} {'WebNN/OV':>8}")
    result = run([*ORT, "--model", onnx_path, *QUICK])
    assert result["settings"]["backend"] == "openvino"
    assert result["settings"]["webnn_precision"] == "float32"
    e = result["results"][0]
    assert e["status"] == "ok", e
    assert e["labels"]["native"] == "OpenVINO" and "not_applicable" not in e
    assert set(e["latency"]) == set(fw.ROLES) and e["parity"]["native_vs_host"]["agree"]
    table = results.format_table(result)
    assert results.HEADER in table and results.LEGEND[:60] in table.replace("\n", " ")
    assert "WebNN on" not in table.splitlines()[0]


# -- xla ------------------------------------------------------------------------------------------


def test_xla_without_anchor_leaves_the_column_out(onnx_path: str, tmp_path: Path) -> None:
    """A model with no direct-XLA anchor: WebNN runs on XLA:CPU, no third runtime (not a
    failure), the table without its columns, empty CSV cells."""
    _jax()
    out = tmp_path / "res"
    result = run([*ORT, "--backend", "xla", "--device", "cpu", "--model", onnx_path, *QUICK])
    results.write_all(result, out)
    e = result["results"][0]
    assert e["status"] == "ok", e
    assert set(e["latency"]) == {"host", "webnn"} and e["failed"] == {}
    assert e["not_applicable"] == {"native": cli.NO_ANCHOR}
    assert e["parity"]["webnn_vs_host"]["agree"] and set(e["ratios"]) == {"webnn_vs_host"}
    assert e["coverage"]["delegated"] == e["coverage"]["nodes"] >= 1
    table = results.format_table(result)
    assert results.header(native=False) in table
    assert "XLA direct ms" not in table and "OpenVINO" not in table
    assert "WebNN on xla/cpu" in table.splitlines()[0]
    assert result["settings"]["webnn_precision"] == "float32"
    with open(out / "results.csv", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["native_median_ms"] == "" and row["webnn_vs_native"] == ""
    assert float(row["webnn_median_ms"]) > 0 and row["webnn_agrees"] == "True"
    assert json.loads((out / "results.json").read_text())["settings"]["backend"] == "xla"


def test_xla_unavailable_device_reported(onnx_path: str) -> None:
    """No GPU here: every job is reported with the reason, nothing runs host-only."""
    jax = _jax()
    try:
        jax.devices("gpu")
        pytest.skip("this machine has a jax GPU device")
    except RuntimeError:
        pass
    result = run([*ORT, "--backend", "xla", "--device", "gpu", "--model", onnx_path, *QUICK])
    (e,) = result["results"]
    assert e["status"] == "not run"
    assert e["reason"].startswith("WebNN backend xla (gpu) not available")
    assert cli.main([*ORT, "--backend", "xla", "--device", "gpu", "--model", onnx_path,
                     *QUICK]) == 1


@pytest.fixture(scope="module")
def resnet50_xla(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """ResNet-50 through ORT with WebNN on XLA:CPU, the anchor as third runtime."""
    _jax()
    out = tmp_path_factory.mktemp("res")
    result = run([*ORT, "--backend", "xla", "--device", "cpu", "--model", "resnet50", *QUICK])
    results.write_all(result, out)
    return {"result": result, "out": out}


def test_resnet50_table_with_anchor_column(resnet50_xla: dict[str, Any]) -> None:
    result = resnet50_xla["result"]
    (e,) = result["results"]
    assert e["status"] == "ok", e
    assert e["labels"] == {"host": "ORT CPU EP", "webnn": "ORT + WebNN EP",
                           "native": "XLA direct (jax.lax)"}
    assert set(e["latency"]) == set(fw.ROLES) and e["latency"]["native"]["n"] == 2
    assert set(e["ratios"]) == {"webnn_vs_host", "webnn_vs_native"}
    assert e["first_run_s"]["native"] > 0
    for pair in ("webnn_vs_host", "native_vs_host", "webnn_vs_native"):
        assert e["parity"][pair]["agree"], (pair, e["parity"][pair])
    assert e["coverage"]["delegated"] == e["coverage"]["nodes"]
    table = results.format_table(result)
    assert results.header("XLA direct", "XLA") in table
    row = next(line for line in table.splitlines() if line.startswith("resnet50"))
    assert row.endswith("yes/yes")
    assert "XLA direct (jax.lax) on cpu" in table
    with open(resnet50_xla["out"] / "results.csv", newline="") as f:
        csv_row = next(csv.DictReader(f))
    assert float(csv_row["native_median_ms"]) > 0 and csv_row["native_agrees"] == "True"
    assert result["environment"]["xla_device"] == "cpu" and "jax" in result["environment"]


def test_anchor_parity_with_ort_cpu_ep(tmp_path: Path) -> None:
    """The anchor on the seeded ResNet-50 of ``load_light("resnet50")`` agrees with ONNX
    Runtime's CPU EP on that model by the benchmark's exact rule (rtol 1e-3 of the output's
    scale) and, the same network with the same weights, far closer than that."""
    _jax()
    import onnxruntime as ort

    from benchmarks.frameworks import xla_anchor

    model = model_zoo.load_light("resnet50")
    path = tmp_path / "resnet50.onnx"
    onnx.save(model, path)
    feeds = model_zoo.random_feeds(model, 1)
    prepared = fw.Prepared("resnet50", "onnxruntime", "built-in", str(path), feeds)
    assert xla_anchor.applies(prepared)
    anchor = xla_anchor.anchor_runtime(prepared, "cpu", "float32")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    expected = session.run(None, feeds)
    verdict = agreement(anchor.outputs, expected, [None], "exact")
    assert verdict["agree"], verdict
    assert verdict["max_rel_diff"] < FLOAT_TOLERANCE["exact"][0] / 100
    assert anchor.outputs[0].shape == (1, 1000) and anchor.outputs[0].dtype == np.float32
    np.testing.assert_allclose(anchor.outputs[0].sum(), 1.0, rtol=1e-5)
    assert np.array_equal(anchor.call()[0], anchor.outputs[0])


def test_anchor_only_for_resnet50(onnx_path: str) -> None:
    _jax()
    from benchmarks.frameworks import xla_anchor

    other = fw.Prepared("conv_relu", "onnxruntime", "user", onnx_path,
                        {"x": np.zeros((1, 3, 8, 8), np.float32)})
    assert not xla_anchor.applies(other)
    assert fw.get("onnxruntime", "xla").build("native", other, "exact") is None
    with pytest.raises(ValueError, match="not the light ResNet-50"):
        xla_anchor.load_weights(onnx_path)


def test_xla_run_needs_no_openvino(onnx_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The GPU machine has no OpenVINO: a --backend xla run neither imports nor needs it."""
    _jax()
    monkeypatch.setitem(sys.modules, "openvino", None)  # import openvino raises
    result = run([*ORT, "--backend", "xla", "--model", onnx_path, *QUICK])
    assert result["results"][0]["status"] == "ok", result["results"][0]
    assert "openvino" not in result["environment"]
