"""The direct-XLA anchor of ``python -m benchmarks --backend xla``: ResNet-50 written with
``jax.lax`` and jitted, the ceiling a WebNN graph compiled by XLA can reach.

It reads its weights from the ONNX file the benchmark prepared (the light ResNet-50 of the
``onnx`` wheel with the benchmark's seeded random weights,
``webnn_providers.testing.onnx_models.load_light("resnet50")``), so its outputs are compared
with ONNX Runtime's CPU EP on that very model by the usual parity rule
(:mod:`benchmarks.frameworks.parity`). The network is the model's own, written out by hand:

- stem: 7x7/2 convolution (pad 3), batch normalization, relu, 3x3/2 max pool (pad 1);
- four stages of 3, 4, 6 and 3 bottleneck blocks (1x1, 3x3, 1x1 convolutions, each followed
  by batch normalization, relu after the first two; the stride of a stage's first block on
  its 3x3 convolution; a 1x1 projection with batch normalization as that block's shortcut),
  sum of both branches, relu;
- head: 7x7 average pool (global at 224x224 inputs), flatten, fully connected layer
  (``Gemm`` with ``transB``), softmax.

Batch normalization (inference form, ``scale * (x - mean) / sqrt(var + eps) + bias``) is
folded into the preceding convolution's weights and bias, in float64 then rounded to
float32 once, as ONNX Runtime's own graph optimizations do on the CPU EP. Convolutions and
the matrix product run at the precision WebNN's XLA backend uses for the same ``precision``
option (:func:`_settings`): ``float32`` is ``lax.Precision.HIGHEST`` (no TF32), ``tf32``
is ``DEFAULT`` (TF32 on NVIDIA GPUs), ``bfloat16`` / ``float16`` narrow the operands first.

The weights are placed on the device once at build; a call makes one host-to-device
transfer of the input and one device-to-host transfer of the output, as the XLA backend
does. jax is an optional extra: this module is imported only when the anchor runs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from .base import Prepared, Runtime

#: the built-in model an anchor exists for
MODEL = "resnet50"
LABEL = "XLA direct (jax.lax)"
#: blocks and bottleneck widths of the four stages (res2 .. res5)
STAGES = ((3, 64), (4, 128), (6, 256), (3, 512))
#: the ONNX model's batch-normalization epsilon (1e-5 as float32)
EPS = float(np.float32(1e-5))
#: initializer name prefix of the light ResNet-50 (a Caffe2 export)
PREFIX = "gpu_0/"


def available() -> str | None:
    """None when jax can run the anchor, else the reason."""
    try:
        import jax  # noqa: F401
    except ImportError as exc:
        return f"jax is not installed ({exc}): pip install -e \".[xla]\""
    return None


def applies(prepared: Prepared) -> bool:
    """Whether ``prepared`` is the built-in ResNet-50 the anchor is written for."""
    return prepared.name == MODEL and prepared.source == "built-in"


# -- weights -----------------------------------------------------------------------------------


def _conv_bn(arrays: Mapping[str, np.ndarray], conv: str, bn: str,
             shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Convolution ``conv`` with batch normalization ``bn`` folded in: (weight, bias)."""
    w = arrays[f"{PREFIX}{conv}_w_0"]
    if w.shape != shape:
        raise ValueError(f"{conv}: weight shape {list(w.shape)}, the ResNet-50 anchor expects "
                         f"{list(shape)}")
    scale, shift, mean, var = (arrays[f"{PREFIX}{bn}_{k}_0"].astype(np.float64)
                               for k in ("s", "b", "rm", "riv"))
    factor = scale / np.sqrt(var + EPS)
    weight = w.astype(np.float64) * factor[:, None, None, None]
    return weight.astype(np.float32), (shift - mean * factor).astype(np.float32)


def load_weights(path: str) -> dict[str, Any]:
    """The anchor's parameters (numpy, float32, batch normalization folded) from the ONNX
    file of the seeded light ResNet-50: ``stem``, ``stages`` (per block ``a``, ``b``, ``c``
    and the first block's ``proj``, each (weight, bias)) and ``fc`` (weight [1000, 2048],
    bias). ValueError when the file is not that model."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    arrays = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    try:
        params: dict[str, Any] = {"stem": _conv_bn(arrays, "conv1", "res_conv1_bn",
                                                   (64, 3, 7, 7))}
        stages, channels = [], 64
        for s, (blocks, width) in enumerate(STAGES, start=2):
            stage = []
            for b in range(blocks):
                name = f"res{s}_{b}_branch"
                block = {"a": _conv_bn(arrays, f"{name}2a", f"{name}2a_bn",
                                       (width, channels, 1, 1)),
                         "b": _conv_bn(arrays, f"{name}2b", f"{name}2b_bn",
                                       (width, width, 3, 3)),
                         "c": _conv_bn(arrays, f"{name}2c", f"{name}2c_bn",
                                       (4 * width, width, 1, 1))}
                if b == 0:
                    block["proj"] = _conv_bn(arrays, f"{name}1", f"{name}1_bn",
                                             (4 * width, channels, 1, 1))
                stage.append(block)
                channels = 4 * width
            stages.append(stage)
        params["stages"] = stages
        params["fc"] = (arrays[f"{PREFIX}pred_w_0"].astype(np.float32),
                        arrays[f"{PREFIX}pred_b_0"].astype(np.float32))
    except KeyError as exc:
        raise ValueError(f"{path}: not the light ResNet-50 (no initializer {exc})") from None
    if params["fc"][0].shape != (1000, channels):
        raise ValueError(f"fc weight shape {list(params['fc'][0].shape)}, expected "
                         f"[1000, {channels}]")
    return params


# -- the network -------------------------------------------------------------------------------


def _settings(precision: str) -> tuple[Any, Any]:
    """(lax.Precision, operand dtype or None) of WebNN's XLA backend for ``precision``."""
    import jax.numpy as jnp
    from jax import lax

    table = {"float32": (lax.Precision.HIGHEST, None), "tf32": (lax.Precision.DEFAULT, None),
             "bfloat16": (lax.Precision.DEFAULT, jnp.bfloat16),
             "float16": (lax.Precision.DEFAULT, jnp.float16)}
    if precision not in table:
        raise ValueError(f"precision {precision!r}: one of {', '.join(table)}")
    return table[precision]


def forward_fn(precision: str = "float32") -> Any:
    """The (not yet jitted) function ``(params, x) -> softmax probabilities`` with ``x``
    [N, 3, 224, 224] float32 (NCHW, as the ONNX model) and ``params`` as
    :func:`load_weights` returns them (numpy or device arrays)."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    dot_precision, narrow = _settings(precision)

    def operands(*arrays: Any) -> tuple[Any, ...]:
        return arrays if narrow is None else tuple(a.astype(narrow) for a in arrays)

    def conv(x: Any, wb: tuple[Any, Any], stride: int, pad: int) -> Any:
        w, b = wb
        x, w = operands(x, w)
        y = lax.conv_general_dilated(x, w, (stride, stride), ((pad, pad), (pad, pad)),
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                     precision=dot_precision,
                                     preferred_element_type=jnp.float32)
        return y + b[None, :, None, None]

    def relu(x: Any) -> Any:
        return jnp.maximum(x, 0.0)

    def bottleneck(x: Any, block: dict[str, Any], stride: int) -> Any:
        y = relu(conv(x, block["a"], 1, 0))
        y = relu(conv(y, block["b"], stride, 1))
        y = conv(y, block["c"], 1, 0)
        shortcut = conv(x, block["proj"], stride, 0) if "proj" in block else x
        return relu(y + shortcut)

    def forward(params: dict[str, Any], x: Any) -> Any:
        y = relu(conv(x, params["stem"], 2, 3))
        y = lax.reduce_window(y, -jnp.inf, lax.max, (1, 1, 3, 3), (1, 1, 2, 2),
                              ((0, 0), (0, 0), (1, 1), (1, 1)))
        for s, stage in enumerate(params["stages"]):
            for b, block in enumerate(stage):
                y = bottleneck(y, block, 2 if s > 0 and b == 0 else 1)
        # AveragePool 7x7 stride 1 over the 7x7 map, then Reshape to [N, 2048]
        pooled = jnp.mean(y, axis=(2, 3))
        w, b = params["fc"]
        pooled, w = operands(pooled, w)
        logits = lax.dot_general(pooled, w, (((1,), (1,)), ((), ())),
                                 precision=dot_precision,
                                 preferred_element_type=jnp.float32) + b
        return jax.nn.softmax(logits, axis=1)

    return forward


def jax_device(device: str) -> Any:
    """The first jax device of ``device`` ("cpu" or "gpu"/"cuda")."""
    import jax

    platform = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu"}.get(device.lower())
    if platform is None:
        raise ValueError(f"device {device!r}: the anchor runs on 'cpu' or 'gpu'")
    try:
        return jax.devices(platform)[0]
    except RuntimeError as exc:
        raise RuntimeError(f"jax has no {platform} device here ({exc})") from None


def anchor_runtime(prepared: Prepared, device: str = "cpu", precision: str = "float32",
                   role: str = "native", label: str = LABEL) -> Runtime:
    """The anchor on ``prepared`` (the built-in ResNet-50 of an ONNX framework): weights
    read from its file and put on ``device``, a fresh jit compiled by the first call.
    ``first_run``: ``load_s`` (read, fold, place), ``first_call_s`` (compile + first
    inference), ``total_s``; ``extra``: ``device``, ``precision``."""
    import jax

    dev = jax_device(device)
    (name, x), = prepared.inputs.items()
    if tuple(x.shape[1:]) != (3, 224, 224):
        raise ValueError(f"input {name} {list(x.shape)}: the ResNet-50 anchor takes "
                         "[N, 3, 224, 224]")
    t0 = time.perf_counter()
    params = jax.device_put(load_weights(prepared.path), dev)
    jax.block_until_ready(params)
    fn = jax.jit(forward_fn(precision))
    t1 = time.perf_counter()

    def call() -> list[np.ndarray]:
        return [np.asarray(fn(params, jax.device_put(x, dev)))]

    outputs = call()
    t2 = time.perf_counter()
    return Runtime(role, label, call, outputs, t2 - t0,
                   notes=[f"{role}: {label} on {dev.platform} ({dev.device_kind}), "
                          f"precision {precision}, batch normalization folded"],
                   first_run={"load_s": t1 - t0, "first_call_s": t2 - t1, "total_s": t2 - t0},
                   extra={"device": str(dev), "precision": precision})
