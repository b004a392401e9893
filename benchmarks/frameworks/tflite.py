"""TFLite adapter: the interpreter with its default delegate XNNPACK (host), the interpreter
with the WebNN delegate (webnn; XNNPACK takes what the delegate leaves) and OpenVINO reading
the same ``.tflite`` file (native, reshaped to the interpreter's static input shapes where the
file marks a dimension dynamic).

The runtimes are :mod:`benchmarks.tflite_benchmark`'s: one call is ``set_tensor`` of each
input, ``invoke`` and a copy of each output (OpenVINO: ``infer(..., share_inputs=True)``).
The quantization step of a float output produced by a DEQUANTIZE (the int8 models' float
interface) is read from the model's ops (an interpreter without default delegates) so the
parity rule compares such outputs in steps.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .base import PRECISIONS, Framework, Prepared, Runtime, coverage, openvino_config

#: built-in models of the default run
DEFAULT_MODELS = ("mobilenet_v2", "mobilenet_v2_int8")


class TFLite(Framework):
    """The TFLite interpreter (``ai_edge_litert`` or ``tflite_runtime``)."""

    name = "tflite"
    extensions = (".tflite",)
    labels = {"host": "TFLite XNNPACK", "webnn": "TFLite + WebNN delegate",
              "native": "OpenVINO"}

    def available(self) -> str | None:
        try:
            from webnn_providers.tflite import WebNNDelegate  # noqa: F401

            from ..tflite_writer import interpreter_module

            interpreter_module()
        except Exception as exc:  # noqa: BLE001 - any failure is the reason
            return f"{type(exc).__name__}: {exc}"
        return None

    def default_models(self) -> list[str]:
        return list(DEFAULT_MODELS)

    def builtin_models(self) -> list[str]:
        from ..tflite_benchmark import BUILTIN_MODELS

        return list(DEFAULT_MODELS) + [n for n in BUILTIN_MODELS if n not in DEFAULT_MODELS]

    def prepare(self, model: str, workdir: Path, seed: int,
                input_shapes: Mapping[str, Sequence[int]] | None = None) -> Prepared:
        """``input_shapes`` is ignored: TFLite models have static input shapes."""
        from .. import tflite_benchmark as tb

        if model in tb.BUILTIN_MODELS:
            m = tb.prepare(model, os.fspath(workdir), seed)
            source = "built-in"
        else:
            path = Path(model)
            if not path.is_file():
                raise FileNotFoundError(f"no such model file: {path}")
            m = tb.Model(path.stem, "user", os.fspath(path), path.stat().st_size,
                         tb.model_inputs(os.fspath(path), seed))
            source = "user"
        in_details, out_details, steps, nodes = _inspect(m.path)
        info = {"file_nodes": nodes, "size_bytes": m.size_bytes,
                "inputs": [{"shape": list(a.shape), "dtype": str(a.dtype)} for a in m.inputs]}
        return Prepared(m.name, self.name, source, m.path, m.inputs, steps, info,
                        {"model": m, "input_details": in_details,
                         "output_details": out_details})

    def host(self, prepared: Prepared) -> Runtime:
        from ..tflite_benchmark import interpreter_runtime

        r = interpreter_runtime("host", prepared.extra["model"], None)
        return Runtime("host", self.labels["host"], r.call, r.outputs, r.first_run["total_s"])

    def webnn(self, prepared: Prepared, precision: str) -> Runtime:
        from webnn_providers.tflite import WebNNDelegate

        from ..tflite_benchmark import interpreter_runtime

        delegate = WebNNDelegate(backend="openvino", precision=PRECISIONS[precision])
        r = interpreter_runtime("webnn", prepared.extra["model"], delegate)
        return Runtime("webnn", self.labels["webnn"], r.call, r.outputs,
                       r.first_run["total_s"], coverage(r.extra.get("report")))

    def native(self, prepared: Prepared, precision: str) -> Runtime:
        from ..tflite_benchmark import openvino_runtime

        args = (prepared.extra["model"], prepared.extra["input_details"],
                prepared.extra["output_details"])
        config = openvino_config(precision)
        notes = []
        try:
            r = openvino_runtime("native", args[0], config, *args[1:])
        except RuntimeError as exc:
            if config.get("INFERENCE_PRECISION_HINT") == "f32":
                raise
            # as WebNN's backend does: reduced precision is a permission, not a requirement
            notes.append(f"native: no {config['INFERENCE_PRECISION_HINT']} compile "
                         f"({str(exc).strip().splitlines()[-1][:120]}); compiled in f32")
            r = openvino_runtime("native", args[0],
                                 {**config, "INFERENCE_PRECISION_HINT": "f32"}, *args[1:])
        return Runtime("native", self.labels["native"], r.call, r.outputs,
                       r.first_run["total_s"], notes=notes)


    def host_alternative(self, prepared: Prepared) -> tuple[str, list[np.ndarray]] | None:
        """TFLite's builtin kernels (no XNNPACK) on a model with quantized outputs."""
        from ..tflite_benchmark import NUM_THREADS
        from ..tflite_writer import interpreter

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
    from ..tflite_writer import interpreter_module

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
