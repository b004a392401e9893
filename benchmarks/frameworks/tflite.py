"""TFLite adapter: the interpreter with its default delegate XNNPACK (host), the interpreter
with the WebNN delegate (webnn; XNNPACK takes what the delegate leaves) and OpenVINO reading
the same ``.tflite`` file (native, reshaped to the interpreter's static input shapes where the
file marks a dimension dynamic); the TFLite deep dive (``benchmarks.tflite_benchmark``) builds
its five runtimes with :func:`interpreter_runtime` and :func:`native_runtime`.

One call is ``set_tensor`` of each input, ``invoke`` and a copy of each output (OpenVINO:
``infer(..., share_inputs=True)``). The quantization step of a float output produced by a
DEQUANTIZE (the int8 models' float interface) is read from the model's ops (an interpreter
without default delegates) so the parity rule compares such outputs in steps.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import openvino
from .base import Framework, Prepared, Runtime, coverage

#: interpreter threads (the machine has 2 cores); OpenVINO picks its own (LATENCY hint)
NUM_THREADS = 2


def interpreter_runtime(role: str, label: str, path: str, inputs: Sequence[np.ndarray],
                        delegate: Any = None) -> Runtime:
    """An interpreter on the model file (default op resolver, :data:`NUM_THREADS`) with
    ``delegate`` if any (its partition report is the coverage). ``first_run``:
    ``construct_s`` (with the delegate's Prepare), ``first_invoke_s``, ``total_s``;
    ``extra``: ``interpreter``, ``input_details``, ``output_details``."""
    from webnn_providers.testing.tflite_writer import interpreter_module

    module = interpreter_module()
    t0 = time.perf_counter()
    interp = module.Interpreter(model_path=path, num_threads=NUM_THREADS,
                                experimental_delegates=[delegate] if delegate else None)
    interp.allocate_tensors()
    t1 = time.perf_counter()
    ins = [d["index"] for d in interp.get_input_details()]
    outs = [d["index"] for d in interp.get_output_details()]
    feeds = list(zip(ins, inputs, strict=True))

    def call() -> list[np.ndarray]:
        for index, value in feeds:
            interp.set_tensor(index, value)
        interp.invoke()
        return [interp.get_tensor(index) for index in outs]

    outputs = call()
    t2 = time.perf_counter()
    cover = coverage(delegate.partition_report()) if delegate is not None else None
    return Runtime(role, label, call, [np.array(o) for o in outputs], t2 - t0, cover,
                   first_run={"construct_s": t1 - t0, "first_invoke_s": t2 - t1,
                              "total_s": t2 - t0},
                   extra={"interpreter": interp, "input_details": interp.get_input_details(),
                          "output_details": interp.get_output_details()})


def native_runtime(role: str, path: str, inputs: Sequence[np.ndarray],
                   input_details: Sequence[dict[str, Any]],
                   output_details: Sequence[dict[str, Any]], config: dict[str, Any],
                   f32_fallback: bool = True) -> Runtime:
    """OpenVINO reading the ``.tflite`` file (:func:`benchmarks.frameworks.openvino.
    native_runtime`) with the interpreter's inputs and tensor details: dynamic inputs get
    the interpreter's shapes, outputs come in the interpreter's order."""
    return openvino.native_runtime(
        path, [(d["name"], a) for d, a in zip(input_details, inputs, strict=True)],
        [d["name"] for d in output_details], config,
        output_shapes=[tuple(int(s) for s in d["shape"]) for d in output_details],
        reshape=True, role=role, f32_fallback=f32_fallback)


class TFLite(Framework):
    """The TFLite interpreter (``ai_edge_litert`` or ``tflite_runtime``)."""

    name = "tflite"
    extensions = (".tflite",)
    labels = {"host": "TFLite XNNPACK", "webnn": "TFLite + WebNN delegate",
              "native": "OpenVINO"}

    def available(self) -> str | None:
        try:
            from webnn_providers.testing.tflite_writer import interpreter_module
            from webnn_providers.tflite import WebNNDelegate  # noqa: F401

            interpreter_module()
        except Exception as exc:  # noqa: BLE001 - any failure is the reason
            return f"{type(exc).__name__}: {exc}"
        return None

    def default_models(self) -> list[str]:
        from webnn_providers.testing.tflite_models import DEFAULT_BUILTIN

        return list(DEFAULT_BUILTIN)

    def builtin_models(self) -> list[str]:
        from webnn_providers.testing.tflite_models import BUILTIN_MODELS

        default = self.default_models()
        return default + [n for n in BUILTIN_MODELS if n not in default]

    def prepare(self, model: str, workdir: Path, seed: int,
                input_shapes: Mapping[str, Sequence[int]] | None = None) -> Prepared:
        """``input_shapes`` is ignored: TFLite models have static input shapes."""
        from webnn_providers.testing import tflite_models

        if model in tflite_models.BUILTIN_MODELS:
            m = tflite_models.prepare(model, workdir, seed)
        else:
            m = tflite_models.user_model(model, seed)
        in_details, out_details, steps, nodes = _inspect(m.path)
        info = {"file_nodes": nodes, "size_bytes": m.size_bytes,
                "inputs": [{"shape": list(a.shape), "dtype": str(a.dtype)} for a in m.inputs]}
        return Prepared(m.name, self.name, m.source, m.path, m.inputs, steps, info,
                        {"input_details": in_details, "output_details": out_details})

    def host(self, prepared: Prepared) -> Runtime:
        return interpreter_runtime("host", self.labels["host"], prepared.path, prepared.inputs)

    def webnn(self, prepared: Prepared, precision: str) -> Runtime:
        from webnn_providers.tflite import WebNNDelegate

        options = self.webnn_options(precision)
        # the default run passes no device: the delegate's default (OpenVINO's "CPU")
        delegate = WebNNDelegate(backend=options["backend"], device=self.device,
                                 precision=options["precision"],
                                 cache_dir=options.get("cache_dir"))
        return interpreter_runtime("webnn", self.labels["webnn"], prepared.path,
                                   prepared.inputs, delegate)

    def native(self, prepared: Prepared, precision: str) -> Runtime:
        return native_runtime("native", prepared.path, prepared.inputs,
                              prepared.extra["input_details"],
                              prepared.extra["output_details"],
                              openvino.config(precision, self.webnn_device(),
                                              self.cache_dir))

    def host_alternative(self, prepared: Prepared) -> tuple[str, list[np.ndarray]] | None:
        """TFLite's builtin kernels (no XNNPACK) on a model with quantized outputs."""
        from webnn_providers.testing.tflite_writer import interpreter

        kinds = [np.dtype(d["dtype"]).kind for d in prepared.extra["output_details"]]
        if all(s is None for s in prepared.output_steps) and "i" not in kinds and \
                "u" not in kinds:
            return None
        interp = interpreter(Path(prepared.path).read_bytes(), builtin_only=True,
                             num_threads=NUM_THREADS)
        for detail, value in zip(interp.get_input_details(), prepared.inputs, strict=True):
            interp.set_tensor(detail["index"], value)
        interp.invoke()
        return ("TFLite builtin kernels",
                [np.array(interp.get_tensor(d["index"])) for d in interp.get_output_details()])


def _inspect(path: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                 list[float | None], int]:
    """Input and output details, the quantization step of each output (its own scale if
    quantized, the input scale of the DEQUANTIZE producing it, else None) and the number of
    operators, from an interpreter without default delegates."""
    from webnn_providers.testing.tflite_writer import interpreter_module

    module = interpreter_module()
    interp = module.Interpreter(
        model_path=path,
        experimental_op_resolver_type=module.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    ins, outs = interp.get_input_details(), interp.get_output_details()
    ops = interp._get_ops_details()
    tensors = {t["index"]: t for t in interp.get_tensor_details()}
    producer = {int(o): op for op in ops for o in op["outputs"]}
    steps: list[float | None] = []
    for detail in outs:
        scale = float(detail["quantization"][0])
        op = producer.get(int(detail["index"]))
        if not scale and op is not None and op["op_name"] == "DEQUANTIZE":
            source = tensors.get(int(op["inputs"][0]), {})
            if np.dtype(source.get("dtype", np.float32)).kind in "iu":
                scale = float(source["quantization"][0])
        steps.append(scale or None)
    return ins, outs, steps, len(ops)
