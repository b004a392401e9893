"""OpenVINO reading a model file itself: the ``native`` runtime of every framework (and of
the deep dives), and what the deep dives read from compiled models (their runtime layers).

:func:`native_runtime` reads and compiles the file on a fresh ``ov.Core`` with the
configuration WebNN's OpenVINO backend uses (:func:`config`), optionally reshaping inputs the
file marks dynamic to the host's static shapes (TFLite's batch ``shape_signature`` -1), and
runs one reused infer request with zero-copy inputs; its outputs are matched to the host's by
tensor name, then by (unique) shape, then taken in order.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .base import PRECISIONS, Runtime

#: runtime-model layer types that are not computation
NON_COMPUTE = {"Parameter", "Result", "Const", "Input", "Output"}


def config(precision: str = "exact", device: str = "CPU",
           cache_dir: str | None = None) -> dict[str, Any]:
    """The compile configuration of WebNN's OpenVINO backend for ``--precision`` (the native
    runtimes use it too); with ``cache_dir``, OpenVINO's ``CACHE_DIR``."""
    from webnn_core.backends.openvino import OpenVINOBackend

    return dict(OpenVINOBackend(device=device, precision=PRECISIONS[precision],
                                cache_dir=cache_dir).config)


def compile_file(path: str, device: str, config: dict[str, Any],
                 static_inputs: Sequence[tuple[str, Sequence[int]]] | None = None
                 ) -> tuple[Any, dict[str, float], bool]:
    """``read_model`` + ``compile_model`` with ``config`` on a fresh Core: the compiled model,
    the seconds of each step (``read_model_s``, ``compile_s``, ``total_s``) and whether
    inputs were reshaped. ``static_inputs``: (name, shape) of the host's inputs in its order,
    the shapes given to inputs the file marks dynamic (matched by name, else in order)."""
    import openvino as ov

    core = ov.Core()
    t0 = time.perf_counter()
    model = core.read_model(path)
    t1 = time.perf_counter()
    reshaped = False
    if static_inputs is not None and any(p.get_partial_shape().is_dynamic
                                         for p in model.inputs):
        names = [name for name, _ in static_inputs]
        model.reshape({port: ov.PartialShape([int(d) for d in
                                              static_inputs[_host_index(port, names, k)][1]])
                       for k, port in enumerate(model.inputs)})
        reshaped = True
    compiled = core.compile_model(model, device, config)
    t2 = time.perf_counter()
    return compiled, {"read_model_s": t1 - t0, "compile_s": t2 - t1, "total_s": t2 - t0}, \
        reshaped


def _host_index(port: Any, names: Sequence[str], k: int) -> int:
    """The host's input (or output) of an OpenVINO port: by tensor name, else position k."""
    port_names = port.get_names()
    return next((i for i, name in enumerate(names) if name in port_names), k)


def match_outputs(compiled: Any, arrays: list[np.ndarray], names: Sequence[str],
                  shapes: Sequence[Sequence[int]] | None = None) -> list[np.ndarray]:
    """OpenVINO's output ``arrays`` (in ``compiled.outputs`` order) in the host's output
    order: by tensor name, then (with ``shapes``) by unique shape, then as they are."""
    ports = [set(port.get_names()) for port in compiled.outputs]
    by_name = [next((k for k, n in enumerate(ports) if name in n), None) for name in names]
    if all(k is not None for k in by_name) and len(set(by_name)) == len(by_name):
        return [arrays[k] for k in by_name]
    if shapes is not None:
        got = [tuple(a.shape) for a in arrays]
        by_shape = [got.index(tuple(s)) if got.count(tuple(s)) == 1 else None for s in shapes]
        if all(k is not None for k in by_shape) and len(set(by_shape)) == len(by_shape):
            return [arrays[k] for k in by_shape]
    return arrays


def native_runtime(path: str, inputs: Sequence[tuple[str, np.ndarray]],
                   output_names: Sequence[str], config: dict[str, Any], *,
                   output_shapes: Sequence[Sequence[int]] | None = None,
                   reshape: bool = False, device: str = "CPU", role: str = "native",
                   label: str = "OpenVINO", f32_fallback: bool = True) -> Runtime:
    """OpenVINO running the model file ``path`` (module doc): ``inputs`` (name, array) and
    ``output_names`` (``output_shapes``) are the host's, in its order; ``reshape`` gives
    dynamic inputs the arrays' shapes. With ``f32_fallback``, a reduced-precision
    ``config`` that does not compile is compiled in f32 with a note, as WebNN's backend does
    (reduced precision is a permission, not a requirement). ``first_run``: ``read_model_s``,
    ``compile_s``, ``first_infer_s``, ``total_s``; ``extra``: ``compiled``,
    ``reshaped_inputs``, ``input_types``."""
    shapes = [(name, np.shape(array)) for name, array in inputs] if reshape else None
    notes = []
    t0 = time.perf_counter()
    try:
        compiled, steps, reshaped = compile_file(path, device, config, shapes)
    except RuntimeError as exc:
        if not f32_fallback or config.get("INFERENCE_PRECISION_HINT") == "f32":
            raise
        notes.append(f"{role}: no {config['INFERENCE_PRECISION_HINT']} compile "
                     f"({str(exc).strip().splitlines()[-1][:120]}); compiled in f32")
        compiled, steps, reshaped = compile_file(
            path, device, {**config, "INFERENCE_PRECISION_HINT": "f32"}, shapes)
    t1 = time.perf_counter()
    request = compiled.create_infer_request()
    names = [name for name, _ in inputs]
    feeds = {k: inputs[_host_index(port, names, k)][1]
             for k, port in enumerate(compiled.inputs)}

    def call() -> Any:
        return request.infer(feeds, share_inputs=True)

    result = call()
    arrays = [np.array(result[port]) for port in compiled.outputs]
    outputs = match_outputs(compiled, arrays, output_names, output_shapes)
    t2 = time.perf_counter()
    first = {"read_model_s": steps["read_model_s"], "compile_s": steps["compile_s"],
             "first_infer_s": t2 - t1, "total_s": t2 - t0}
    if "CACHE_DIR" in config:
        first["loaded_from_cache"] = bool(compiled.get_property("LOADED_FROM_CACHE"))
    return Runtime(role, label, call, outputs, t2 - t0, notes=notes, first_run=first,
                   extra={"compiled": compiled, "reshaped_inputs": reshaped,
                          "input_types": [p.get_element_type().get_type_name()
                                          for p in compiled.inputs]})


# -- compiled models -----------------------------------------------------------------------


def runtime_op_counts(compiled: Any | None, kernels: bool = False) -> dict[str, int]:
    """Layer types of the compiled (post-transformation) runtime model with their counts;
    with ``kernels``, the compute layers as "layerType:primitiveType" (the CPU kernel)."""
    if compiled is None:
        return {}
    counts: dict[str, int] = {}
    for node in compiled.get_runtime_model().get_ordered_ops():
        info = node.get_rt_info()
        kind = info["layerType"].value if "layerType" in info else node.get_type_name()
        if kernels:
            if kind in NON_COMPUTE:
                continue
            if "primitiveType" in info:
                kind = f"{kind}:{info['primitiveType'].value}"
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def runtime_diff(webnn_ops: dict[str, int], native_ops: dict[str, int]) -> dict[str, list[int]]:
    """Layer types whose counts differ: type -> [webnn count, native count]."""
    return {kind: [webnn_ops.get(kind, 0), native_ops.get(kind, 0)]
            for kind in sorted(set(webnn_ops) | set(native_ops))
            if webnn_ops.get(kind, 0) != native_ops.get(kind, 0)}


def compute_nodes(counts: dict[str, int]) -> int:
    """Layers of :func:`runtime_op_counts` that compute (not parameters, constants ...)."""
    return sum(n for kind, n in counts.items() if kind not in NON_COMPUTE)
