"""Shared checks for the TFLite delegate tests: run a model with and without the delegate
and compare (the undelegated interpreter is the oracle)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pytest
from webnn_providers.report import PartitionReport
from webnn_providers.testing.tflite_writer import interpreter
from webnn_providers.tflite import WebNNDelegate

_DELEGATES: dict[str, WebNNDelegate] = {}

#: the tests run on tflite-runtime 2.14 (the numpy<2 CI job) instead of ai-edge-litert
ON_TFLITE_RUNTIME = os.environ.get("WEBNN_TFLITE_RUNTIME") == "tflite_runtime"


def not_on_tflite_runtime(reason: str) -> pytest.MarkDecorator:
    """Skip a case whose oracle tflite-runtime 2.14's kernels cannot provide."""
    return pytest.mark.skipif(ON_TFLITE_RUNTIME, reason=f"tflite-runtime 2.14: {reason}")


def delegate(backend: str = "openvino") -> WebNNDelegate:
    """One shared delegate per backend (a delegate serves any number of interpreters)."""
    if backend not in _DELEGATES:
        _DELEGATES[backend] = WebNNDelegate(backend=backend)
    return _DELEGATES[backend]


def run(data: bytes, inputs: Sequence[np.ndarray], delegates: Sequence | None = None,
        builtin_only: bool = True) -> list[np.ndarray]:
    """Outputs (copies, subgraph order) of one invoke; ``builtin_only`` keeps XNNPACK out."""
    it = interpreter(data, delegates=list(delegates or []), builtin_only=builtin_only)
    for detail, value in zip(it.get_input_details(), inputs, strict=True):
        it.set_tensor(detail["index"], np.asarray(value, dtype=detail["dtype"]))
    it.invoke()
    return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]


def check_delegated(data: bytes, inputs: Sequence[np.ndarray], *, delegated: int | None = None,
                    partitions: int | None = None, rtol: float = 1e-5, atol: float = 1e-6,
                    steps: int = 1, backend: str = "openvino") -> PartitionReport:
    """Run with and without the delegate: the delegate takes ``delegated`` nodes (default:
    all) and outputs match (floats within ``rtol``/``atol``, quantized integers within
    ``steps`` quantization steps, other integers exactly)."""
    expected = run(data, inputs)
    d = delegate(backend)
    got = run(data, inputs, [d])
    report = d.partition_report()
    assert report is not None, "the delegate was not applied"
    want = len(report.nodes) if delegated is None else delegated
    assert report.num_supported == want, report.summary()
    if partitions is not None:
        assert len(report.partitions) == partitions, report.summary()
    assert len(got) == len(expected)
    for k, (have, ref) in enumerate(zip(got, expected, strict=True)):
        assert have.dtype == ref.dtype, f"output {k}: {have.dtype} != {ref.dtype}"
        assert have.shape == ref.shape, f"output {k}: {have.shape} != {ref.shape}"
        if ref.dtype.kind == "f":
            np.testing.assert_allclose(have, ref, rtol=rtol, atol=atol,
                                       err_msg=f"output {k}\n{report.summary()}")
        elif ref.dtype in (np.int8, np.uint8, np.int16):
            diff = np.abs(have.astype(np.int64) - ref.astype(np.int64))
            assert diff.max(initial=0) <= steps, f"output {k}: {diff.max()} steps apart"
        else:
            np.testing.assert_array_equal(have, ref, err_msg=f"output {k}")
    return report


def refused(data: bytes, backend: str = "openvino") -> PartitionReport:
    """The delegate's report for a model it must leave (at least partly) to TFLite; the
    model still runs with the delegate and gives the undelegated outputs."""
    d = delegate(backend)
    interpreter(data, delegates=[d], builtin_only=True)
    report = d.partition_report()
    assert report is not None
    return report
