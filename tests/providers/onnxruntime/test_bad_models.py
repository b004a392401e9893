"""Malformed and hostile models through ONNX Runtime with the WebNN EP: session creation or
the run raises a clear Python exception (ORT's), or the model falls back to the CPU EP and
computes what the CPU-only session computes; never a crash.

Every case runs in its own subprocess (``_bad_model_cases.py`` beside this file, address
space capped at 4 GiB) so a segfault or abort fails that test instead of killing the run.
The child prints one ``RESULT`` JSON line per attempt; the expectations below are checked
against them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).resolve().parent / "_bad_model_cases.py"


def error(pattern: str, stage: str | None = None):
    """Expect a Python exception whose "Type: message" matches ``pattern``."""
    def check(result: dict) -> None:
        assert not result["ok"], f"expected an error, got {result}"
        text = f"{result['error']}: {result['message']}"
        assert re.search(pattern, text, re.IGNORECASE | re.DOTALL), text
        if stage:
            assert result["stage"] == stage, result
    return check


def ok(webnn: bool | None = None):
    """Expect success; ``webnn`` True/False: WebNN takes some/no node."""
    def check(result: dict) -> None:
        assert result["ok"], f"expected success, got {result}"
        if webnn is not None:
            assert ("WebNNExecutionProvider" in result["assigned"]) == webnn, result
    return check


def same(result: dict) -> None:
    assert result["same"], "the EP session's outputs differ from the CPU-only session's"


#: what each attempt of each case must do (label -> check); labels not listed are not checked
#: individually (see the random byte flips)
EXPECT = {
    "garbage_bytes": {"garbage": error("InvalidProtobuf"),
                      "empty": error("No graph was found|INVALID_PROTOBUF")},
    "truncated_file": {"half": error("InvalidProtobuf"), "minus3": error("InvalidProtobuf"),
                       "first10": error("InvalidProtobuf"), "missing": error("NoSuchFile")},
    "unsupported_opset": {"opset99": error("opset", "session"),
                          "opset0": error("INVALID_GRAPH|opset", "session")},
    "unknown_domain": {"registered_domain": error("Frobnicate", "session"),
                       "unregistered_domain": error("Frobnicate|com.example", "session")},
    "missing_input": {"missing_input": error("nowhere", "session"),
                      "output_not_produced": error("invalid model|output", "session")},
    "cycle": {"cycle": error("acyclic", "session"), "self_loop": error("acyclic", "session")},
    "duplicate_output": {"duplicate_output": error("Duplicate definition", "session")},
    "wrong_types": {"wrong_output_type": error("Type", "session"),
                    "initializer_type": error("Type", "session")},
    "bad_initializer": {"short_raw_data": error("Fail|Invalid", "session"),
                        "missing_external_data": error("External data|no_such_weights",
                                                       "session")},
    "huge_shapes": {
        # WebNN refuses tensors beyond its limits: the CPU EP keeps them; the run then fails on
        # ORT's own input check
        "2^31x2^31": ok(webnn=False), "2^31x2^31/run": error("invalid dimensions", "run"),
        "2^40x2^40": ok(webnn=False), "2^40x2^40/run": error("invalid dimensions", "run"),
        "int64_max": ok(webnn=False), "int64_max/run": error("invalid dimensions", "run"),
        # 4 GiB: the EP takes the Expand and OpenVINO fails to allocate it under the cap
        "expand_4GiB": error("allocate"), "expand_4GiB/fallback": error("allocate"),
        "expand_8GiB": error("allocate"), "expand_8GiB/fallback": error("allocate"),
    },
    "runtime_mismatch": {"rank": error("InvalidArgument.*rank", "run"),
                         "dtype": error("InvalidArgument.*data type", "run"),
                         "dim": error("InvalidArgument.*dimensions", "run"),
                         "fine": ok(webnn=True),
                         "missing_feed": error("missing", "run"),
                         "unknown_feed": error("Invalid input name", "run")},
    "lying_value_info": {"value_info": ok(webnn=True), "value_info/cpu": ok(),
                         "value_info/compare": same},
    "empty_static": {"static_empty": ok(webnn=False), "static_empty/compare": same},
    "empty_symbolic": {"symbolic_empty": ok(), "symbolic_empty/compare": same,
                       "symbolic_nonempty_after": ok(webnn=True),
                       "symbolic_nonempty_after/compare": same},
    "random_byte_flips": {},
}

#: case name -> reason, for cases expected to fail (xfail, strict); none at present (a
#: symbolic batch fed 0 rows runs on the ONNX reference evaluator: see FusedKernel)
KNOWN_FAILURES: dict[str, str] = {}


def run_case(name: str, workdir: Path) -> dict[str, dict]:
    done = subprocess.run([sys.executable, str(CHILD), name, str(workdir)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (f"{name}: the child exited with {done.returncode} (a crash "
                                  f"if negative)\nstdout:\n{done.stdout[-3000:]}\n"
                                  f"stderr:\n{done.stderr[-3000:]}")
    assert done.stdout.rstrip().endswith("DONE"), done.stdout[-3000:]
    results = {}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
            results[result["label"]] = result
    return results


def _check_byte_flips(results: dict[str, dict]) -> None:
    """Whatever the CPU-only session loads and runs, the EP session runs with the same
    outputs; whatever it rejects, the EP session rejects too (or runs)."""
    flips = {label.split("/")[0] for label in results}
    assert len(flips) == 40
    for flip in sorted(flips):
        webnn, cpu = results[flip], results[flip + "/cpu"]
        if cpu["ok"]:
            assert webnn["ok"], f"{flip}: the CPU-only session runs it, the EP session: {webnn}"
            assert results[flip + "/compare"]["same"], f"{flip}: outputs differ"


def _params():
    for name in EXPECT:
        reason = KNOWN_FAILURES.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=reason, raises=AssertionError)] \
            if reason else []
        yield pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("name", list(_params()))
def test_bad_model(name, tmp_path):
    results = run_case(name, tmp_path)
    if name == "random_byte_flips":
        _check_byte_flips(results)
        return
    expected = EXPECT[name]
    missing = sorted(set(expected) - set(results))
    assert not missing, f"no result for {missing}; got {sorted(results)}"
    for label, check in expected.items():
        try:
            check(results[label])
        except AssertionError as exc:
            raise AssertionError(f"{name}/{label}: {exc}") from None


def test_every_case_has_expectations():
    from tests.providers.onnxruntime import _bad_model_cases

    assert set(_bad_model_cases.CASES) == set(EXPECT)
