"""Pytest hooks: summaries of the WPT conformance run (tests/core/test_wpt.py) per backend and of
the ONNX backend node cases (tests/providers/onnx/node_cases.py); strict translation for the
whole suite."""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

# Strict translation (webnn_providers.translation.errors): an exception inside an ONNX or
# TFLite translator other than Unsupported / webnn_core.ValidationError is a bug, and fails
# the test instead of quietly leaving the node to the host. Set before any provider code
# runs, and inherited by the subprocesses tests start; WEBNN_STRICT_TRANSLATION=0 in the
# environment runs the suite in production mode.
os.environ.setdefault("WEBNN_STRICT_TRANSLATION", "1")

_WPT_TEST = "test_wpt.py::test_wpt["
_OPENCV_TESTS = "tests/providers/opencv/"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Run the OpenCV backend's model tests last. Known issue (open, see the issue 5 note):
    after tests/providers/opencv/test_models.py, OpenVINO inferences elsewhere in the same
    process flush subnormal float32 results to zero (tests/core/ops/test_elementwise.py
    test_division_of_huge_and_infinite_values then fails; it passes alone and after
    test_api.py). Until the floating-point state leak is found, the other suites must not
    run after it."""
    items.sort(key=lambda item: _OPENCV_TESTS in item.nodeid.replace("\\", "/"))


def _wpt_outcomes(stats: dict[str, list[Any]]) -> dict[str, tuple[str, Any]]:
    """nodeid -> (outcome, report) for the WPT cases; a failure or error in any phase wins."""
    rank = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
    out: dict[str, tuple[str, Any]] = {}
    for category, reports in stats.items():
        if category not in rank:
            continue
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            if _WPT_TEST not in nodeid:
                continue
            previous = out.get(nodeid)
            if previous is None or rank[category] > rank[previous[0]]:
                out[nodeid] = (category, report)
    return out


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    _wpt_summary(terminalreporter)
    _node_case_summary(terminalreporter)


def _node_case_summary(terminalreporter: Any) -> None:
    """Counts of the ONNX node cases: taken (passed/failed) and left to the host by kind."""
    try:
        from tests.providers.onnx.node_cases import OUTCOMES, REFUSALS
    except ImportError:
        return
    if not OUTCOMES:
        return
    terminalreporter.section("ONNX backend node cases")
    for suite, counts in OUTCOMES.items():
        total = sum(counts.values())
        parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        terminalreporter.write_line(f"{suite}: {total} cases: {parts}")
        kinds = REFUSALS.get(suite)
        if kinds:
            terminalreporter.write_line("  left to host by reason: " + ", ".join(
                f"{k} {v}" for k, v in kinds.most_common()))


def _wpt_summary(terminalreporter: Any) -> None:
    """Per backend: total, passed, failed, skipped, pass rate; failures per op file;
    skipped case names with reasons."""
    outcomes = _wpt_outcomes(terminalreporter.stats)
    if not outcomes:
        return
    by_backend: dict[str, list[tuple[str, str, Any]]] = defaultdict(list)
    for nodeid, (outcome, report) in sorted(outcomes.items()):
        case_id = nodeid.split(_WPT_TEST, 1)[1].removesuffix("]")
        backend, _, rest = case_id.partition("::")
        by_backend[backend].append((rest, outcome, report))
    write = terminalreporter.write_line
    terminalreporter.section("WPT conformance summary")
    for backend, rows in by_backend.items():
        counts = defaultdict(int)
        for _, outcome, _ in rows:
            counts[outcome] += 1
        failed = counts["failed"] + counts["error"]
        ran = counts["passed"] + failed
        rate = 100.0 * counts["passed"] / ran if ran else 0.0
        overall = 100.0 * counts["passed"] / len(rows) if rows else 0.0
        write(f"{backend}: total {len(rows)}, passed {counts['passed']}, failed {failed}, "
              f"skipped {counts['skipped']}, pass rate {rate:.1f}% of run cases, "
              f"{overall:.2f}% of all cases")
        per_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for rest, outcome, _ in rows:
            op = rest.split("::", 1)[0]
            per_op[op][0] += 1
            per_op[op][1] += outcome in ("failed", "error")
        failing = [f"{op} {bad}/{total}" for op, (total, bad) in sorted(per_op.items()) if bad]
        if failing:
            write(f"  failing op files (failed/total): {', '.join(failing)}")
        skipped = [(rest, _skip_reason(report)) for rest, outcome, report in rows
                   if outcome == "skipped"]
        if skipped:
            write(f"  skipped ({len(skipped)}):")
            for rest, reason in skipped:
                write(f"    {rest}: {reason}")
