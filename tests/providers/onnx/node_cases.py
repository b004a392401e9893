"""The ONNX backend node test cases shipped in the onnx wheel, shared by the translator-level
and the ORT-session-level conformance tests, and their outcome counters."""

from __future__ import annotations

import functools
import warnings
from collections import Counter

import numpy as np
import onnx
import onnx.numpy_helper

#: outcome counters per suite, printed by tests/conftest.py at the end of the run
OUTCOMES: dict[str, Counter] = {}
REFUSALS: dict[str, Counter] = {}


@functools.cache
def node_cases() -> list:
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return [c for c in collect_testcases() if c.data_sets]


def as_array(value: object) -> np.ndarray:
    """A data-set entry as numpy (some cases store TensorProtos)."""
    if isinstance(value, onnx.TensorProto):
        return onnx.numpy_helper.to_array(value)
    return np.asarray(value)


def record(suite: str, outcome: str, reason_kind: str | None = None) -> None:
    OUTCOMES.setdefault(suite, Counter())[outcome] += 1
    if reason_kind:
        REFUSALS.setdefault(suite, Counter())[reason_kind] += 1


def assert_outputs_match(case, got: list[np.ndarray], expected: list[np.ndarray],
                         what: str) -> None:
    """The ONNX backend test comparison: same dtype and shape, values within the case's
    rtol/atol (exact for non-float)."""
    for i, (have, want) in enumerate(zip(got, expected, strict=True)):
        want = np.asarray(want)
        have = np.asarray(have)
        assert have.dtype == want.dtype, f"{what} output {i}: dtype {have.dtype} != {want.dtype}"
        assert have.shape == want.shape, f"{what} output {i}: shape {have.shape} != {want.shape}"
        if want.dtype.kind in "fc":
            np.testing.assert_allclose(have, want, rtol=case.rtol, atol=case.atol,
                                       err_msg=f"{what} output {i}")
        else:
            np.testing.assert_array_equal(have, want, err_msg=f"{what} output {i}")
