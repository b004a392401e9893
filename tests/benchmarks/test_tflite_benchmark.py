"""Smoke test of the TFLite benchmark (benchmarks/tflite_benchmark.py) on the tiny built-in
CNN (float32 and int8) for 2 rounds.

Checks the result's structure and parity only: no timing is asserted.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import webnn_core as webnn

pytest.importorskip("ai_edge_litert")

from benchmarks import tflite_benchmark  # noqa: E402
from benchmarks.frameworks.parity import differences  # noqa: E402

MODELS = ["tiny_cnn", "tiny_cnn_int8"]
# float32 runtimes vs XNNPACK on the same float32 graph: kernel choice and summation order
# differ only; relative to max |y|
REL_PARITY = 1e-4


@pytest.fixture(scope="module")
def result() -> dict:
    return tflite_benchmark.run_benchmark(MODELS, iterations=2, warmup=1)


def test_result_structure(result: dict) -> None:
    assert result["iterations"] == 2 and not result["skipped"]
    assert result["num_threads"] == tflite_benchmark.NUM_THREADS
    assert result["openvino_config"]["INFERENCE_PRECISION_HINT"] == "f32"
    assert result["openvino_config"]["PERFORMANCE_HINT"] == "LATENCY"
    assert result["fast_precision"] == "fast"
    chosen = webnn.ml.create_context(precision="fast").precision.precision
    assert result["openvino_fast_config"]["INFERENCE_PRECISION_HINT"] == {
        "float32": "f32", "bfloat16": "bf16", "float16": "f16"}[chosen]
    assert [m["model"] for m in result["models"]] == MODELS
    for m in result["models"]:
        assert m["runtimes"] == list(tflite_benchmark.RUNTIMES) and not m["failed"]
        for runtime in tflite_benchmark.RUNTIMES:
            stats = m["latency"][runtime]
            assert stats["n"] == 2
            assert 0 < stats["min_ms"] <= stats["median_ms"] <= stats["p90_ms"]
            assert m["first_run_s"][runtime]["total_s"] > 0
        for key in ("webnn_vs_openvino", "webnn_fast_vs_openvino_fast", "xnnpack_vs_webnn"):
            assert m["ratios"][key]["ratio_of_medians"] > 0
            assert m["ratios"][key]["median_paired_ratio"] > 0
        for name in ("webnn", "webnn_fast"):
            d = m["delegate"][name]
            assert d["nodes"] >= 7 and 0 <= d["delegated"] <= d["nodes"]
            assert d["share"] == pytest.approx(d["delegated"] / d["nodes"])
            assert d["partitions"] >= (1 if d["delegated"] else 0)
            assert sum(d["fallback"].values()) == d["nodes"] - d["delegated"]
        assert m["outputs"] == [{"name": "Identity", "shape": [1, 10], "dtype": "float32"}]
    json.dumps(result)  # JSON-able for --json
    report = tflite_benchmark.format_report(result)
    assert all(name in report for name in MODELS) and "a/b" in report and "d/e" in report


def test_parity(result: dict) -> None:
    for m in result["models"]:
        parity = m["parity_vs_xnnpack"]
        assert set(parity) == {"webnn", "openvino", "webnn_fast", "openvino_fast"}
        assert all("error" not in p for p in parity.values()), parity
        if m["model"] == "tiny_cnn":
            assert parity["webnn"]["max_rel_diff"] <= REL_PARITY
            assert parity["openvino"]["max_rel_diff"] <= REL_PARITY
        # bfloat16 keeps 8 bits of mantissa; int8 runtimes may differ by a few quantization
        # steps of the softmax input: only sanity here
        for p in parity.values():
            assert np.isfinite(p["max_abs_diff"]) and p["max_abs_diff"] < 0.5


def test_parity_of_quantized_outputs() -> None:
    a = [np.array([[-128, 5, 127]], np.int8)]
    b = [np.array([[-127, 5, 125]], np.int8)]
    p = differences(a, b)
    assert p["max_steps"] == 2 and p["quantized_outputs"] == ["int8"]
    assert "error" in differences([np.zeros((1, 2))], [np.zeros((1, 3))])


def test_cli_writes_json(tmp_path, capsys) -> None:
    out = tmp_path / "out.json"
    assert tflite_benchmark.main(["--models", "tiny_cnn", "--iterations", "2", "--warmup", "0",
                                  "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert [m["model"] for m in data["models"]] == ["tiny_cnn"]
    (m,) = data["models"]
    assert set(m["latency"]) == set(tflite_benchmark.RUNTIMES)
    assert {"latency", "ratios", "first_run_s", "delegate", "parity_vs_xnnpack"} <= set(m)
    assert "a/b" in capsys.readouterr().out


def test_absent_model_is_skipped(tmp_path) -> None:
    result = tflite_benchmark.run_benchmark(["vww_96_float"], iterations=1, warmup=0,
                                            models_dir=tmp_path)
    assert result["models"] == [] and "absent" in result["skipped"]["vww_96_float"]


def test_unknown_model_is_an_error() -> None:
    with pytest.raises(SystemExit):
        tflite_benchmark.main(["--models", "no_such_model"])
