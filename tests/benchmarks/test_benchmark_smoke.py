"""Smoke test of the core benchmark (benchmarks/core_benchmark.py) on the tiny ResNet.

Checks the result's structure and numerical parity only: no timing is asserted (timings on a
shared machine are noise; the benchmark reports them, the tests do not judge them).
"""

from __future__ import annotations

import json
import tempfile

import numpy as np
import pytest
from webnn_providers.testing.networks import NETWORKS, build_webnn, resnet_tiny, to_onnx

import webnn_core as webnn
from benchmarks import core_benchmark
from benchmarks.frameworks.parity import diff

# Parity bounds, relative to max |y| of the expected output. WebNN-on-OpenVINO and native
# OpenVINO run the same float32 network through the same plugin: only kernel choice and
# summation order can differ. The numpy reference sums in another order too; the tiny
# network has 9 convolutions with at most 147 products per sum (float32 eps 1.2e-7).
REL_NATIVE = 1e-5
REL_REFERENCE = 1e-4


@pytest.fixture(scope="module")
def result() -> dict:
    return core_benchmark.run_benchmark("resnet-tiny", iterations=2, warmup=1)


def test_network_description_is_resnet_shaped() -> None:
    net = resnet_tiny()
    counts = net.op_counts()
    assert counts == {"conv": 9, "relu": 7, "maxpool": 1, "add": 2, "global_avgpool": 1,
                      "flatten": 1, "gemm": 1}
    assert net.output_shape == (1, 10)
    # every weight belongs to a conv or gemm layer and is float32
    for layer in net.layers:
        if layer.op in ("conv", "gemm"):
            assert net.weights[f"{layer.name}.weight"].dtype == np.float32
            assert net.weights[f"{layer.name}.bias"].dtype == np.float32
    assert len(net.weights) == 2 * (counts["conv"] + counts["gemm"])


def test_resnet50_description() -> None:
    net = NETWORKS["resnet50"]()
    counts = net.op_counts()
    # 1 stem + 16 blocks x 3 + 4 projection shortcuts
    assert counts["conv"] == 53 and counts["add"] == 16 and counts["gemm"] == 1
    assert net.weights["fc.weight"].shape == (1000, 2048)
    assert net.weights["layer2.0.conv2.weight"].shape == (128, 128, 3, 3)
    assert 25.5e6 < net.parameter_count() < 25.6e6


def test_onnx_export_is_valid() -> None:
    model = to_onnx(resnet_tiny())
    ops = [node.op_type for node in model.graph.node]
    assert ops[:3] == ["Conv", "Relu", "MaxPool"]
    assert ops[-3:] == ["GlobalAveragePool", "Flatten", "Gemm"]


def test_result_structure(result: dict) -> None:
    assert result["network"] == "resnet-tiny"
    assert result["iterations"] == 2
    assert result["config"]["INFERENCE_PRECISION_HINT"] == "f32"
    assert result["config"]["PERFORMANCE_HINT"] == "LATENCY"
    for side in ("webnn", "native"):
        stats = result["latency"][side]
        assert stats["n"] == 2
        assert 0 < stats["min_ms"] <= stats["median_ms"] <= stats["p90_ms"]
    assert result["ratio_of_medians"] > 0 and result["median_paired_ratio"] > 0
    build = result["build"]
    assert build["webnn_builder_calls_s"] >= 0 and build["webnn_build_compile_s"] >= 0
    assert set(build["native"]) == {"onnx_export_s", "read_model_s", "compile_s", "onnx_bytes"}
    runtime = result["runtime_model"]
    assert runtime["webnn_compute_nodes"] > 0 and runtime["native_compute_nodes"] > 0
    json.dumps(result, default=str)  # JSON-able for --json
    report = core_benchmark.format_report(result)
    assert "latency median (ms)" in report and "ratio of medians" in report


def test_parity_with_native(result: dict) -> None:
    parity = result["parity"]
    assert parity["output_shape_webnn"] == parity["output_shape_native"] == [1, 10]
    assert parity["output_dtype_webnn"] == parity["output_dtype_native"] == "float32"
    assert parity["webnn_vs_native"]["max_rel_diff"] <= REL_NATIVE


def test_parity_with_reference(result: dict) -> None:
    ref = result["reference"]
    assert ref["network"] == "resnet-tiny"
    assert ref["webnn_vs_reference"]["max_rel_diff"] <= REL_REFERENCE
    assert ref["native_vs_reference"]["max_rel_diff"] <= REL_REFERENCE


def test_builder_graph_matches_onnx_graph_on_other_inputs() -> None:
    """Other weights and a larger-magnitude input: the two emissions still agree."""
    net = resnet_tiny(seed=3)
    ctx = webnn.ml.create_context()
    builder = webnn.MLGraphBuilder(ctx)
    graph = builder.build({"y": build_webnn(builder, net)})
    x = net.random_input(seed=11) * 3
    got = ctx.compute(graph, {"x": x})["y"]
    with tempfile.TemporaryDirectory() as workdir:
        compiled, _ = core_benchmark.compile_native(net, "CPU", dict(ctx.backend.config),
                                                    workdir)
    want = compiled.create_infer_request().infer({0: x})[0]
    assert diff(got, want)["max_rel_diff"] <= REL_NATIVE


def test_cli_writes_json(tmp_path, capsys) -> None:
    out = tmp_path / "out.json"
    assert core_benchmark.main(["--network", "resnet-tiny", "--iterations", "2", "--warmup",
                                "0", "--reference", "none", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["network"] == "resnet-tiny" and "reference" not in data
    assert "webnn/native" in capsys.readouterr().out


def test_profile_structure() -> None:
    net = resnet_tiny()
    ctx = webnn.ml.create_context()
    builder = webnn.MLGraphBuilder(ctx)
    graph = builder.build({"y": build_webnn(builder, net)})
    with tempfile.TemporaryDirectory() as workdir:
        prof = core_benchmark.profile(graph, net, net.random_input(), "CPU",
                                      dict(ctx.backend.config), workdir, iterations=2, warmup=1)
    for side in ("webnn", "native"):
        assert "Convolution" in prof[side] and prof[side]["total"] >= 0
