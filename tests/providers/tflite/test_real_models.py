"""Real models (../shared/models/tflite) through the interpreter with the WebNN delegate
(OpenVINO), compared with the interpreter's own builtin kernels.

Float models. Tolerance per output: |webnn - tflite| <= RTOL * |tflite| + ATOL * max|tflite|.
The reasoning is the one of tests/providers/onnxruntime/test_real_models.py: float32 dot
products of K terms summed in another order differ by ~sqrt(K) * 1.2e-7 of the sum of
|terms|, and that grows layer by layer; measured on these models the worst output differs
by a few 1e-5 of its magnitude, and a wrong op is off by O(1e-1).

Quantized models. TFLite's integer kernels requantize with fixed-point multipliers and
round half away from zero; WebNN computes each op in float32 and quantizes with round half
to even. A single op then differs by at most one step, but a step taken in one layer can
move the next layer's result across a rounding boundary, so whole networks are compared by
the share of outputs within one step (:data:`MIN_WITHIN_ONE_STEP`) and the largest
difference in steps (:data:`MAX_STEPS`): twice what TFLite's own two kernel families differ
by on these models (mobilenet_v1_0.25_128_quant, uniform random inputs, seeds 0-3: XNNPACK
is up to 4 steps off the builtin kernels and WebNN up to 7, with 99.7-100% of the 1001
outputs within one step; on vww_96_int8 all three agree exactly).

Hybrid models (kws_ref_model_float32: float32 CONV_2Ds with int8 weights). The delegate
computes the float convolution of the dequantized weights, while TFLite's hybrid kernel
quantizes each input on the fly (tests/providers/tflite/test_hybrid_conv.py). The delegated outputs
must then match TFLite's float kernels on the same model with the weights dequantized
(:func:`~tests.providers.tflite.test_hybrid_conv.dequantized_model`) within the float bound
above, and differ from TFLite's hybrid outputs by no more than TFLite's float kernels do (plus that
bound): the rest of the difference is TFLite's own input quantization (on kws, ~5e-3 of the
softmax outputs, seeds 0-1).

How much WebNN takes is printed (``pytest -s``) and must not drop below the figures in
:data:`MIN_DELEGATED` (the share of nodes this version delegates on each model).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from webnn_providers.testing import SHARED_MODELS
from webnn_providers.testing.tflite_writer import interpreter

from .helpers import ON_TFLITE_RUNTIME, delegate
from .test_hybrid_conv import dequantized_model

MODELS_DIR = SHARED_MODELS / "tflite"
MODELS = sorted(MODELS_DIR.glob("*.tflite")) if MODELS_DIR.is_dir() else []

RTOL = 1e-4
ATOL = 5e-4  # times the output's largest magnitude
#: quantized outputs: share within one step, and the largest difference in steps
MIN_WITHIN_ONE_STEP = 0.99
MAX_STEPS = 8
#: share of nodes the delegate takes at least (all others are left to TFLite with a reason)
MIN_DELEGATED: dict[str, float] = {}
#: models whose custom ops only the default op resolver provides (XNNPACK runs MediaPipe's
#: Convolution2DTransposeBias): both runs use the default resolver, the delegate leaves
#: the custom op to TFLite
DEFAULT_RESOLVER = {"selfie_segmentation"}


def _inputs(it, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    values = []
    for detail in it.get_input_details():
        dtype = np.dtype(detail["dtype"])
        shape = tuple(detail["shape"])
        if dtype.kind == "f":
            values.append(rng.uniform(-1.0, 1.0, shape).astype(dtype))
        else:
            info = np.iinfo(dtype)
            values.append(rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype))
    return values


def _run(it, values: list[np.ndarray]) -> list[np.ndarray]:
    for detail, value in zip(it.get_input_details(), values, strict=True):
        it.set_tensor(detail["index"], value)
    it.invoke()
    return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]


@pytest.mark.skipif(not MODELS, reason=f"no real models: {MODELS_DIR} is absent")
@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_real_model_matches_tflite(path: Path):
    if ON_TFLITE_RUNTIME and path.stem in DEFAULT_RESOLVER:
        pytest.skip("tflite-runtime 2.14's default resolver lacks the model's custom op "
                    "(the oracle cannot run it)")
    data = path.read_bytes()
    builtin_only = path.stem not in DEFAULT_RESOLVER
    reference = interpreter(data, builtin_only=builtin_only)
    d = delegate()
    delegated = interpreter(data, delegates=[d], builtin_only=builtin_only)
    report = d.partition_report()
    print(f"\n{path.name}: {report.summary()}")
    share = report.num_supported / max(len(report.nodes), 1)
    assert share >= MIN_DELEGATED.get(path.stem, 0.0), report.summary()
    dequantized = dequantized_model(data)
    floating = None if dequantized is None else interpreter(dequantized,
                                                            builtin_only=builtin_only)
    for seed in range(2):
        values = _inputs(reference, seed)
        want = _run(reference, values)
        got = _run(delegated, values)
        want_float = want if floating is None else _run(floating, values)
        for k, (have, ref, ref_float) in enumerate(zip(got, want, want_float, strict=True)):
            assert have.shape == ref.shape and have.dtype == ref.dtype
            if ref.dtype.kind == "f":
                bound = RTOL * np.abs(ref) + ATOL * float(np.max(np.abs(ref), initial=0.0))
                bound_float = bound + np.abs(ref_float - ref)
                worst = float(np.max(np.abs(have - ref) - bound_float, initial=-1.0))
                assert worst <= 0, (f"output {k}: off by {worst:.3g} beyond the bound; "
                                    f"max |diff| {np.max(np.abs(have - ref)):.3g}")
                if floating is not None:
                    bound = RTOL * np.abs(ref_float) + ATOL * float(np.max(np.abs(ref_float)))
                    worst = float(np.max(np.abs(have - ref_float) - bound, initial=-1.0))
                    assert worst <= 0, f"output {k}: off TFLite's float kernels by {worst:.3g}"
            else:
                steps = np.abs(have.astype(np.int64) - ref.astype(np.int64))
                within = float(np.mean(steps <= 1)) if steps.size else 1.0
                assert within >= MIN_WITHIN_ONE_STEP and steps.max(initial=0) <= MAX_STEPS, (
                    f"output {k}: {within:.1%} within one step, max {steps.max()} steps")
