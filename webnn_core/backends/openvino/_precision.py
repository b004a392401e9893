"""The ``precision`` option on OpenVINO: what ``INFERENCE_PRECISION_HINT`` a context compiles
with, and what "fast" means per device.

Reduced precision is a permission the user gives (webnn-spec leaves float32 graphs' internal
precision to the implementation; this project computes float32 exactly unless asked). For
"fast" the backend picks, per device, the precision OpenVINO runs fastest there:

- CPU: bfloat16 only with AMX (Intel's matrix tiles, ``amx_bf16``), where OpenVINO's
  bfloat16 kernels outrun its float32 ones. Without AMX, OpenVINO still offers bfloat16
  (``OPTIMIZATION_CAPABILITIES`` lists BF16 on AVX512_BF16 CPUs) but computes it through
  conversions around AVX-512 kernels, slower than float32 on every benchmark net
  (``python -m benchmarks --precision bfloat16`` shows it), so "fast" stays float32 there.
- GPU: float16 when the device lists FP16 (OpenVINO's own default on Intel GPUs).
- other devices: float32.
"""

from __future__ import annotations

import openvino as ov

from ...errors import NotSupportedError
from ..base import EXACT, FAST, PrecisionChoice, cpu_flags

#: precision option -> INFERENCE_PRECISION_HINT
HINTS = {"float32": "f32", "bfloat16": "bf16", "float16": "f16"}
#: precision option -> the OPTIMIZATION_CAPABILITIES entry it needs
_CAPABILITY = {"bfloat16": "BF16", "float16": "FP16"}


def choose(core: ov.Core, device: str, requested: str) -> PrecisionChoice:
    """The precision a context on ``device`` computes float32 graphs in for the option
    value ``requested`` (NotSupportedError for an explicit precision the device lacks)."""
    if requested == "float32":
        return EXACT
    caps = core.get_property(device, "OPTIMIZATION_CAPABILITIES")
    if requested != FAST:
        if _CAPABILITY[requested] not in caps:
            raise NotSupportedError(f"create_context: device {device} has no {requested} "
                                    f"support (capabilities: {caps})")
        return PrecisionChoice(requested, requested)
    kind = device.split(".")[0].upper()
    if kind == "CPU":
        if "BF16" in caps and "amx_bf16" in cpu_flags():
            return PrecisionChoice(FAST, "bfloat16", "this CPU has AMX, where OpenVINO's "
                                   "bfloat16 kernels outrun float32")
        return PrecisionChoice(FAST, "float32", "no AMX on this CPU: OpenVINO's bfloat16 "
                               "would convert around float32 kernels and run slower")
    if kind == "GPU" and "FP16" in caps:
        return PrecisionChoice(FAST, "float16", "float16 is the GPU plugin's native "
                               "precision")
    return PrecisionChoice(FAST, "float32", f"no faster precision known for {device}")
