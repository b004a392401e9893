"""Smoke test of the ONNX Runtime benchmark (benchmarks/ort_benchmark.py) on one small model
(SqueezeNet from the onnx wheel's light models, with seeded random weights) for 2 rounds.

Checks the result's structure and numerical parity only: no timing is asserted.
"""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

pytest.importorskip("onnxruntime")

from webnn_providers.testing import onnx_models as models  # noqa: E402

from benchmarks import ort_benchmark  # noqa: E402

MODEL = "squeezenet"
# WebNN EP (OpenVINO CPU plugin) vs ORT's CPU EP on the same float32 graph: kernel choice and
# summation order differ only; relative to max |y|.
REL_PARITY = 1e-4


@pytest.fixture(scope="module")
def result() -> dict:
    return ort_benchmark.run_benchmark([MODEL], iterations=2, warmup=1, breakdown_runs=2,
                                       overhead_iterations=2)


def test_light_model_preparation(tmp_path) -> None:
    model = models.prepare(MODEL, tmp_path, seed=0)
    proto = onnx.load(model.path)
    onnx.checker.check_model(proto)
    assert "ConstantOfShape" not in model.op_counts
    assert model.op_counts["Conv"] == 26
    initializers = {init.name for init in proto.graph.initializer}
    assert not initializers & {i.name for i in proto.graph.input}  # constants for ORT
    assert list(model.feeds) == ["data_0"] and model.feeds["data_0"].shape == (1, 3, 224, 224)
    assert 1.2e6 < model.parameters < 1.3e6
    # deterministic for a seed
    (tmp_path / "again").mkdir()
    again = models.prepare(MODEL, tmp_path / "again", seed=0)
    a = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    b = {i.name: onnx.numpy_helper.to_array(i) for i in onnx.load(again.path).graph.initializer}
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_random_weights_keep_outputs_finite_and_unsaturated(tmp_path) -> None:
    import onnxruntime as ort

    model = models.prepare("resnet50", tmp_path)
    session = ort.InferenceSession(model.path, providers=["CPUExecutionProvider"])
    (probabilities,) = session.run(None, model.feeds)
    assert np.all(np.isfinite(probabilities))
    assert probabilities.shape == (1, 1000)
    assert abs(float(probabilities.sum()) - 1.0) < 1e-4
    assert probabilities.max() < 0.9  # calibrated logits: the softmax is not one-hot


def test_result_structure(result: dict) -> None:
    assert result["iterations"] == 2 and not result["skipped"]
    assert result["openvino_config"]["INFERENCE_PRECISION_HINT"] == "f32"
    assert result["openvino_config"]["PERFORMANCE_HINT"] == "LATENCY"
    (m,) = result["models"]
    assert m["model"] == MODEL and m["source"] == "light"
    for runtime in ort_benchmark.RUNTIMES:
        stats = m["latency"][runtime]
        assert stats["n"] == 2
        assert 0 < stats["min_ms"] <= stats["median_ms"] <= stats["p90_ms"]
    for key in ("webnn_ep_vs_openvino", "ort_cpu_vs_webnn_ep"):
        assert m[key]["ratio_of_medians"] > 0 and m[key]["median_paired_ratio"] > 0
    creation = m["session_creation_s"]
    assert creation["webnn_ep"] > 0 and creation["ort_cpu"] > 0
    assert creation["openvino_read_compile"] > 0
    parts = m["partitions"]
    assert parts["webnn_partitions"] >= 1 and m["fused_kernels"] == parts["webnn_partitions"]
    assert parts["cpu_nodes"] == sum(parts["cpu_ops"].values())
    breakdown = m["breakdown"]
    assert breakdown["fused_calls_per_run"] == parts["webnn_partitions"]
    assert 0 < breakdown["in_dispatch_ms"] <= breakdown["in_compute_ms"] <= breakdown["total_ms"]
    rt = m["runtime_model"]
    assert rt["webnn_reference_graphs"] == 0
    assert "Convolution" in rt["webnn"] and "Convolution" in rt["native"]
    json.dumps(result)  # JSON-able for --json
    report = ort_benchmark.format_report(result)
    assert MODEL in report and "a/b" in report and "EP overhead" in report


def test_parity(result: dict) -> None:
    (m,) = result["models"]
    parity = m["parity"]
    assert parity["output_shapes"] == [[1, 1000, 1, 1]]
    assert all(parity["shapes_match"])
    assert parity["webnn_ep_vs_ort_cpu"]["max_rel_diff"] <= REL_PARITY
    assert parity["openvino_vs_ort_cpu"]["max_rel_diff"] <= REL_PARITY


def test_overhead_structure(result: dict) -> None:
    o = result["overhead"]
    assert o["parity_ok"]
    assert set(o["per_call_us"]) == {"webnn_ep_session", "ort_cpu_session", "fused_dispatch",
                                     "webnn_compute", "openvino_infer"}
    assert all(v["median"] > 0 for v in o["per_call_us"].values())
    assert o["instrumented"]["dispatch_us"] <= o["instrumented"]["compute_us"]
    assert isinstance(o["ep_overhead_us"], float)


def test_instrumentation_restores_the_ep(result: dict) -> None:
    from webnn_providers.onnxruntime import _kernel

    assert _kernel.FusedKernel.compute.__qualname__ == "FusedKernel.compute"


def test_cli_writes_json(tmp_path, capsys) -> None:
    out = tmp_path / "out.json"
    assert ort_benchmark.main(["--models", MODEL, "--iterations", "2", "--warmup", "0",
                               "--breakdown-runs", "0", "--no-overhead", "--json",
                               str(out)]) == 0
    data = json.loads(out.read_text())
    assert [m["model"] for m in data["models"]] == [MODEL] and "overhead" not in data
    assert "a/b" in capsys.readouterr().out


def test_absent_model_is_skipped() -> None:
    result = ort_benchmark.run_benchmark(["no_such_model"], iterations=1, warmup=0,
                                         overhead=False)
    assert result["models"] == [] and "no_such_model" in result["skipped"]
