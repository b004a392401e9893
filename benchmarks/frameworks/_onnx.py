"""ONNX model preparation and the native OpenVINO runtime shared by the onnxruntime and
opencv adapters.

Built-in models are the light CNNs of the ``onnx`` wheel with seeded random weights
(:func:`webnn_providers.testing.onnx_models.prepare`). A user ``.onnx`` file is loaded, its
initializers taken out of the graph inputs (IR 3 models list them as inputs), a symbolic first
(batch) input dimension fixed to 1 and saved to the work directory; any other symbolic input
dimension is an error with the inputs named (the three runtimes must see one static
graph). Each model is prepared once per work directory and seed, then shared by both
frameworks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import onnx
from webnn_providers.testing import onnx_models as model_zoo

from . import openvino
from .base import Framework, Prepared, Runtime, precision_choice

#: (workdir, model, seed) -> (prepared model, inputs whose batch was fixed to 1)
_CACHE: dict[tuple[str, str, int], tuple[model_zoo.Model, list[str]]] = {}


def default_models() -> list[str]:
    """The light CNNs of the default run that this onnx wheel ships."""
    present = model_zoo.available_models()
    return [n for n in model_zoo.DEFAULT_LIGHT if present.get(n) == "light"]


def builtin_models() -> list[str]:
    """Every light model name (default ones first)."""
    present = model_zoo.available_models()
    return [n for n, source in present.items() if source == "light"]


def _symbolic_inputs(model: onnx.ModelProto) -> dict[str, list[str]]:
    """Input name -> its dimensions as text, for inputs with a non-static dimension."""
    out = {}
    for value in model.graph.input:
        dims = value.type.tensor_type.shape.dim
        if any(not d.HasField("dim_value") for d in dims):
            out[value.name] = [str(d.dim_value) if d.HasField("dim_value")
                               else (d.dim_param or "?") for d in dims]
    return out


def fix_batch(model: onnx.ModelProto) -> list[str]:
    """Fix a symbolic first dimension of every input to 1 (in place); returns the inputs
    changed. ValueError naming the inputs when another dimension stays symbolic."""
    fixed, shapes = [], {}
    for value in model.graph.input:
        dims = value.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            shapes[value.name] = [1] + [d.dim_value for d in dims[1:]]
            fixed.append(value.name)
    left = {n: d for n, d in _symbolic_inputs(model).items()
            if any(not x.isdigit() for x in d[1:])}
    if left:
        raise ValueError("symbolic input dimensions other than the batch: "
                         + ", ".join(f"{n} [{', '.join(d)}]" for n, d in left.items())
                         + " (give their sizes with --input-shape NAME=D1,D2,...)")
    model_zoo.fix_input_shapes(model, shapes)
    return fixed


def set_input_shapes(model: onnx.ModelProto, shapes: Mapping[str, Sequence[int]]) -> None:
    """Give the model's inputs named in ``shapes`` those shapes (``--input-shape``, which
    applies to every model with an input of that name; in place): only symbolic dimensions
    change, a static one must be given its own size. ValueError naming the problem
    otherwise."""
    inputs = {v.name: v for v in model.graph.input}
    shapes = {n: s for n, s in shapes.items() if n in inputs}
    for name, shape in shapes.items():
        dims = inputs[name].type.tensor_type.shape.dim
        if len(dims) != len(shape):
            raise ValueError(f"--input-shape {name}: {len(shape)} dimensions given, the input "
                             f"has {len(dims)}")
        for k, (dim, size) in enumerate(zip(dims, shape, strict=True)):
            if dim.HasField("dim_value") and dim.dim_value != size:
                raise ValueError(f"--input-shape {name}: dimension {k} is {dim.dim_value} in "
                                 f"the model, not {size}")
    model_zoo.fix_input_shapes(model, {n: list(s) for n, s in shapes.items()})


def _prepare_user(path: Path, workdir: Path, seed: int, shapes: Mapping[str, Sequence[int]]
                  ) -> tuple[model_zoo.Model, list[str]]:
    if not path.is_file():
        raise FileNotFoundError(f"no such model file: {path}")
    model = onnx.load(os.fspath(path))
    model_zoo.clean_initializer_inputs(model)
    set_input_shapes(model, shapes)
    fixed = fix_batch(model)
    out = workdir / f"user{len(_CACHE)}_{path.stem}.onnx"
    onnx.save(model, os.fspath(out))
    return model_zoo.Model(path.stem, "user", os.fspath(out),
                           model_zoo.random_feeds(model, seed + 1),
                           model_zoo.op_counts(model)), fixed


def prepare_onnx(model: str, workdir: Path, seed: int,
                 shapes: Mapping[str, Sequence[int]] | None = None
                 ) -> tuple[model_zoo.Model, list[str]]:
    """A built-in light model name or a user ``.onnx`` path (with ``shapes`` for its
    inputs), prepared once per workdir; also the inputs whose symbolic batch dimension was
    fixed to 1."""
    shapes = dict(shapes or {})
    key = (os.fspath(workdir), model, seed, tuple(sorted((n, tuple(s))
                                                         for n, s in shapes.items())))
    if key not in _CACHE:
        if model in model_zoo.LIGHT_MODELS:
            if shapes:
                raise ValueError(f"--input-shape applies to model files, not to the "
                                 f"built-in {model}")
            _CACHE[key] = (model_zoo.prepare(model, workdir, seed), [])
        else:
            _CACHE[key] = _prepare_user(Path(model), workdir, seed, shapes)
    return _CACHE[key]


def prepared(framework: str, model: str, workdir: Path, seed: int,
             shapes: Mapping[str, Sequence[int]] | None = None) -> Prepared:
    """:func:`prepare_onnx` as a :class:`Prepared` of ``framework``."""
    m, fixed = prepare_onnx(model, workdir, seed, shapes)
    graph = onnx.load(m.path, load_external_data=False).graph
    info: dict[str, Any] = {"file_nodes": m.num_nodes,
                            "inputs": {k: list(v.shape) for k, v in m.feeds.items()}}
    if fixed:
        info["batch_fixed_to_1"] = fixed
    return Prepared(m.name, framework, "built-in" if m.source == "light" else "user", m.path,
                    m.feeds, [None] * len(graph.output), info,
                    {"output_names": [o.name for o in graph.output]})


def native_runtime(prepared: Prepared, precision: str, names: list[str] | None = None,
                   device: str = "CPU", cache_dir: str | None = None) -> Runtime:
    """OpenVINO reading the ONNX file (:func:`benchmarks.frameworks.openvino.native_runtime`
    with WebNN's backend configuration, ``CACHE_DIR`` ``cache_dir``) on ``device``; outputs
    in the order of ``names`` (default: the ONNX graph's outputs)."""
    return openvino.native_runtime(prepared.path, list(prepared.inputs.items()),
                                   names or prepared.extra["output_names"],
                                   openvino.config(precision, device, cache_dir),
                                   device=device)


class OnnxFramework(Framework):
    """A framework reading ``.onnx`` files: the light ONNX models by default."""

    extensions = (".onnx",)

    def default_models(self) -> list[str]:
        return default_models()

    def builtin_models(self) -> list[str]:
        return builtin_models()

    def prepare(self, model: str, workdir: Path, seed: int,
                input_shapes: Mapping[str, Sequence[int]] | None = None) -> Prepared:
        return prepared(self.name, model, workdir, seed, input_shapes)

    def anchor(self, prepared: Prepared, precision: str) -> Runtime | None:
        """The direct-XLA ResNet-50 (:mod:`.xla_anchor`, imported only here) on the
        built-in ResNet-50, on WebNN's device at WebNN's precision; None for other
        models."""
        from . import xla_anchor

        if not xla_anchor.applies(prepared):
            return None
        why = xla_anchor.available()
        if why is not None:
            raise RuntimeError(why)
        device = self.webnn_device() if self.backend == "xla" else "cpu"
        anchor_precision = (precision_choice(precision, self.backend, device).precision
                            if self.backend == "xla" else "float32")
        return xla_anchor.anchor_runtime(prepared, device, anchor_precision)
