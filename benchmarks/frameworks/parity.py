"""How far a runtime's outputs are from a reference's, and whether they agree.

:func:`diff` / :func:`worst_diff`: max absolute difference and that difference relative to
the reference's scale (the deep dives report them). :func:`differences` adds, for int8/uint8
outputs, the largest difference in quantization steps.

:func:`agreement`, the verdict of ``python -m benchmarks``, each output of a runtime against
the host's:

- float outputs: ``max |a - h| <= rtol * max |h| + atol`` (relative to the output's
  scale); ``exact`` precision: rtol 1e-3, atol 1e-4; ``fast`` precision (bfloat16 in WebNN
  and OpenVINO, 8 significant bits, rounding error up to 2**-9 per operation, compounded
  over tens of layers): rtol 5e-2, atol 1e-3;
- quantized outputs (int8/uint8 tensors, and float outputs of a DEQUANTIZE whose step is
  known): within one quantization step for at least 99% of the elements (rounding of
  requantized values may flip a step);
- other integer/bool outputs: equal.

Float outputs shaped like class scores (``[batch, classes]``, trailing 1s aside, at least
two classes) also report ``top1_agree``: the same top-scoring class in every row (what a
reduced precision must keep on the classification nets; informational, not the verdict).

Outputs whose element counts match but whose shapes differ (OpenCV keeps trailing 1s) are
compared flattened; any other shape mismatch is a disagreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: (rtol, atol) of float outputs per ``--precision``
FLOAT_TOLERANCE = {"exact": (1e-3, 1e-4), "fast": (5e-2, 1e-3)}
#: share of the elements of a quantized output that must be within one step
QUANTIZED_SHARE = 0.99


def diff(actual: np.ndarray, expected: np.ndarray) -> dict[str, float]:
    """Max absolute difference and that difference relative to max |expected|."""
    err = float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64)),
                       initial=0.0))
    scale = float(np.max(np.abs(expected), initial=0.0))
    return {"max_abs_diff": err, "max_rel_diff": err / scale if scale else err,
            "max_abs_expected": scale}


def worst_diff(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray]) -> dict[str, Any]:
    """:func:`diff` of each output pair and the worst relative one (with its index)."""
    per_output = [diff(np.asarray(a), np.asarray(e))
                  for a, e in zip(actual, expected, strict=True)]
    worst = max(range(len(per_output)), key=lambda i: per_output[i]["max_rel_diff"],
                default=None)
    result: dict[str, Any] = {"outputs": per_output}
    if worst is not None:
        result.update(per_output[worst], worst_output=worst)
    return result


def differences(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray]
                ) -> dict[str, Any]:
    """Float outputs: :func:`worst_diff`; integer outputs: the largest difference in
    quantization steps (``max_steps``, per output ``steps_per_output``, their types
    ``quantized_outputs``). Shapes must match (else ``error``)."""
    if len(actual) != len(expected):
        return {"error": f"{len(actual)} outputs vs {len(expected)}"}
    shapes_ok = [tuple(np.shape(a)) == tuple(np.shape(e)) for a, e in zip(actual, expected)]
    if not all(shapes_ok):
        return {"error": "output shapes differ: "
                f"{[list(np.shape(a)) for a in actual]} vs {[list(e.shape) for e in expected]}"}
    result: dict[str, Any] = {}
    floats = [k for k, e in enumerate(expected) if e.dtype.kind == "f"]
    ints = [k for k, e in enumerate(expected) if e.dtype.kind in "iu"]
    if floats:
        result.update(worst_diff([np.asarray(actual[k]) for k in floats],
                                 [expected[k] for k in floats]))
    if ints:
        steps = [int(np.max(np.abs(np.asarray(actual[k]).astype(np.int64)
                                   - expected[k].astype(np.int64)), initial=0)) for k in ints]
        result["max_steps"] = max(steps)
        result["steps_per_output"] = steps
        result["quantized_outputs"] = [expected[k].dtype.name for k in ints]
    return result


def _compare_one(actual: np.ndarray, expected: np.ndarray, step: float | None,
                 precision: str) -> dict[str, Any]:
    """:func:`agreement` of one output pair."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.size != expected.size:
        return {"agree": False, "error": f"shape {list(actual.shape)} vs "
                f"{list(expected.shape)}"}
    a = actual.reshape(expected.shape).astype(np.float64)
    e = expected.astype(np.float64)
    d = np.abs(a - e)
    max_abs = float(np.max(d, initial=0.0))
    scale = float(np.max(np.abs(e), initial=0.0))
    out: dict[str, Any] = {"max_abs_diff": max_abs,
                           "max_rel_diff": max_abs / scale if scale else max_abs}
    if expected.dtype.kind in "iu" and expected.dtype.itemsize == 1:
        step = 1.0
    if step:
        within = float(np.mean(d <= step * (1 + 1e-4))) if d.size else 1.0
        out.update(rule="steps", step=step, max_steps=max_abs / step, share_within_1=within,
                   agree=within >= QUANTIZED_SHARE)
    elif expected.dtype.kind == "f":
        rtol, atol = FLOAT_TOLERANCE[precision]
        out.update(rule="float", tolerance=rtol * scale + atol,
                   agree=bool(np.isfinite(max_abs) and max_abs <= rtol * scale + atol))
        top1 = top1_agreement(a, e)
        if top1 is not None:
            out["top1_agree"] = top1
    else:
        out.update(rule="equal", agree=max_abs == 0.0)
    return out


def top1_agreement(actual: np.ndarray, expected: np.ndarray) -> bool | None:
    """Whether both pick the same class in every row of class scores; None for outputs
    not shaped ``[batch, classes]`` (trailing 1s dropped)."""
    shape = list(expected.shape)
    while len(shape) > 2 and shape[-1] == 1:
        shape.pop()
    if len(shape) != 2 or shape[1] < 2:
        return None
    a, e = actual.reshape(shape), expected.reshape(shape)
    return bool(np.array_equal(np.argmax(a, axis=1), np.argmax(e, axis=1)))


def agreement(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray],
              steps: Sequence[float | None], precision: str = "exact") -> dict[str, Any]:
    """Whether ``actual`` agrees with the host's ``expected`` outputs (rule: module doc):
    ``agree``, the worst ``max_rel_diff`` / ``max_abs_diff`` and the per-output details."""
    if len(actual) != len(expected):
        return {"agree": False, "error": f"{len(actual)} outputs vs {len(expected)}",
                "outputs": []}
    steps = list(steps) + [None] * (len(expected) - len(steps))
    per = [_compare_one(a, e, s, precision) for a, e, s in zip(actual, expected, steps)]
    result: dict[str, Any] = {"agree": all(p["agree"] for p in per), "outputs": per}
    top1 = [p["top1_agree"] for p in per if "top1_agree" in p]
    if top1:
        result["top1_agree"] = all(top1)
    rel = [p["max_rel_diff"] for p in per if "max_rel_diff" in p]
    if rel:
        result["max_rel_diff"] = max(rel)
        result["max_abs_diff"] = max(p["max_abs_diff"] for p in per if "max_abs_diff" in p)
    errors = [p["error"] for p in per if "error" in p]
    if errors:
        result["error"] = "; ".join(errors)
    return result
