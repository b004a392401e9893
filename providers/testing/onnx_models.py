"""ONNX models for tests and benchmarks (the ONNX Runtime and OpenCV ones of ``benchmarks/``).

Two sources of full-graph CNNs:

- the "light" models shipped in the ``onnx`` wheel (``onnx/backend/test/data/light/``):
  real architectures whose large weights were replaced by ``ConstantOfShape`` nodes (every
  element 0.02). :func:`prepare_light` turns each into a normal model: every
  ``ConstantOfShape`` fed by a constant shape becomes a seeded random initializer scaled for
  its role (He-normal convolution and fully-connected weights, small biases, batchnorm
  statistics near the identity), so activations stay finite and the outputs are not
  saturated; initializers are removed from the graph inputs (the models are IR 3, where
  every initializer is also an input, which ONNX Runtime would treat as overridable, i.e.
  not constant) and the IR version is raised accordingly;
- the real models with real weights in ``../shared/models/onnx`` (next to the repository;
  absent models are skipped). Symbolic dimensions of their inputs are fixed to a concrete
  size (batch 1, image sizes from :data:`REAL_INPUT_SHAPES`) so all three runtimes see the
  same static graph; IR 3 models get the same initializer clean-up.

:func:`prepare` writes the prepared model to a directory and returns a :class:`Model`
(path, input feeds). Preparation is deterministic for a given seed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

from . import SHARED_MODELS

#: folder of the light models in the onnx wheel
LIGHT_DIR = Path(onnx.__file__).resolve().parent / "backend" / "test" / "data" / "light"
#: folder of the real models (read-only data next to the repository)
REAL_DIR = SHARED_MODELS / "onnx"

#: benchmark name -> light model file stem (default set first)
LIGHT_MODELS = {
    "squeezenet": "light_squeezenet",
    "resnet50": "light_resnet50",
    "googlenet": "light_inception_v1",
    "densenet121": "light_densenet121",
    "shufflenet": "light_shufflenet",
    # not in the default set (large or redundant), available with --models
    "inception_v2": "light_inception_v2",
    "alexnet": "light_bvlc_alexnet",
    "zfnet512": "light_zfnet512",
    "vgg19": "light_vgg19",
}
DEFAULT_LIGHT = ("squeezenet", "resnet50", "googlenet", "densenet121", "shufflenet")

#: real model name -> concrete shape for every input (symbolic dimensions fixed)
REAL_INPUT_SHAPES: dict[str, dict[str, list[int]]] = {
    "mnist": {"Input3": [1, 1, 28, 28]},
    "candy": {"inputImage": [1, 3, 720, 720]},
    "mtcnn_pnet": {"input_1": [1, 240, 320, 3]},
    "ultraface_rfb_320": {"input": [1, 3, 240, 320]},
    "yolox_nano": {"images": [1, 3, 416, 416]},
}
DEFAULT_REAL = ("mnist", "mtcnn_pnet", "ultraface_rfb_320", "yolox_nano", "candy")

#: IR version written for cleaned-up models (what onnxruntime >= 1.24 loads)
IR_VERSION = 8


@dataclass
class Model:
    """A prepared model file and a seeded input for it."""

    name: str
    source: str  # "light" or "real"
    path: str
    feeds: dict[str, np.ndarray]
    op_counts: dict[str, int] = field(default_factory=dict)
    parameters: int = 0
    opset: int = 0

    @property
    def num_nodes(self) -> int:
        return sum(self.op_counts.values())


def available_models() -> dict[str, str]:
    """Every model name this machine can prepare -> its source ("light"/"real")."""
    names = {name: "light" for name, stem in LIGHT_MODELS.items()
             if (LIGHT_DIR / f"{stem}.onnx").exists()}
    names.update({name: "real" for name in REAL_INPUT_SHAPES
                  if (REAL_DIR / f"{name}.onnx").exists()})
    return names


def default_models() -> list[str]:
    """The default benchmark set: the five light CNNs and the real models present."""
    present = available_models()
    return [n for n in (*DEFAULT_LIGHT, *DEFAULT_REAL) if n in present]


# -- light models ----------------------------------------------------------------------------


def _consumers(graph: onnx.GraphProto) -> dict[str, list[tuple[onnx.NodeProto, int]]]:
    users: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
    for node in graph.node:
        for slot, name in enumerate(node.input):
            users.setdefault(name, []).append((node, slot))
    return users


def _role(name: str, users: dict[str, list[tuple[onnx.NodeProto, int]]]
          ) -> tuple[str, onnx.NodeProto | None]:
    """What a weight tensor is used as, and by which node: "conv_w", "fc_w", "bias",
    "bn_scale", "bn_shift", "bn_mean", "bn_var" or "other" (looking through Unsqueeze and
    Reshape)."""
    for node, slot in users.get(name, []):
        op = node.op_type
        if op in ("Unsqueeze", "Reshape", "Flatten", "Squeeze") and slot == 0:
            role, user = _role(node.output[0], users)
            if role != "other":
                return role, user
        elif op in ("Conv", "ConvTranspose"):
            return ("conv_w" if slot == 1 else "bias"), node
        elif op in ("Gemm", "MatMul"):
            return ("fc_w" if slot == 1 else "bias"), node
        elif op == "BatchNormalization":
            return {1: "bn_scale", 2: "bn_shift", 3: "bn_mean", 4: "bn_var"}.get(
                slot, "other"), node
        elif op == "Mul":
            return "bn_scale", node
        elif op in ("Add", "Sum"):
            return "bn_shift", node
    return "other", None


def _random_weight(role: str, shape: tuple[int, ...], user: onnx.NodeProto | None,
                   rng: np.random.Generator) -> np.ndarray:
    size = tuple(int(d) for d in shape)
    if role == "conv_w" and len(size) >= 2:
        # He-normal: keeps the activations' scale through Conv + ReLU
        w = rng.standard_normal(size) * np.sqrt(2.0 / int(np.prod(size[1:])))
    elif role == "fc_w" and len(size) >= 2:
        transposed = user is not None and user.op_type == "Gemm" and any(
            a.name == "transB" and a.i for a in user.attribute)
        fan_in = int(np.prod(size[1:])) if transposed else size[0]
        w = rng.uniform(-1.0, 1.0, size) * np.sqrt(3.0 / fan_in)
    elif role == "bn_scale":
        w = rng.uniform(0.5, 1.0, size)
    elif role == "bn_var":
        w = rng.uniform(0.8, 1.2, size)
    elif role in ("bias", "bn_shift", "bn_mean"):
        w = rng.normal(0.0, 0.05, size)
    else:
        w = rng.normal(0.0, 0.02, size)
    return w.astype(np.float32)


def randomize_weights(model: onnx.ModelProto, seed: int = 0) -> int:
    """Give a light model seeded random weights (in place); returns how many tensors.

    Each float ``ConstantOfShape`` whose shape is an initializer becomes an initializer, and
    so does each float initializer used as a weight (the light models keep a few small
    real tensors, e.g. batchnorm statistics, which do not fit random convolution weights:
    near-zero variances of channels that are dead with the real weights blow up)."""
    graph = model.graph
    rng = np.random.default_rng(seed)
    inits = {init.name: init for init in graph.initializer}
    users = _consumers(graph)
    keep, replaced = [], {}
    for node in graph.node:
        value = next((a.t for a in node.attribute if a.name == "value"), None)
        shape_init = inits.get(node.input[0]) if node.op_type == "ConstantOfShape" else None
        if shape_init is None or (value is not None and value.data_type != TensorProto.FLOAT):
            keep.append(node)
            continue
        replaced[node.output[0]] = tuple(numpy_helper.to_array(shape_init).tolist())
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT and _role(init.name, users)[0] != "other":
            replaced[init.name] = tuple(init.dims)
    new_inits = []
    for name in sorted(replaced):
        role, user = _role(name, users)
        new_inits.append(numpy_helper.from_array(
            _random_weight(role, replaced[name], user, rng), name))
    del graph.node[:]
    graph.node.extend(keep)
    kept = [init for init in graph.initializer if init.name not in replaced]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    _drop_unused_initializers(graph)
    return len(replaced)


def _drop_unused_initializers(graph: onnx.GraphProto) -> None:
    used = {name for node in graph.node for name in node.input}
    used |= {o.name for o in graph.output}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    names = {init.name for init in graph.initializer}
    inputs = [i for i in graph.input if i.name not in names and (i.name in used)]
    del graph.input[:]
    graph.input.extend(inputs)


def clean_initializer_inputs(model: onnx.ModelProto) -> None:
    """Initializers out of the graph inputs (constants for ORT), IR version raised."""
    _drop_unused_initializers(model.graph)
    if model.ir_version < IR_VERSION:
        model.ir_version = IR_VERSION


def fix_input_shapes(model: onnx.ModelProto, shapes: dict[str, list[int]]) -> None:
    for value in model.graph.input:
        if value.name not in shapes:
            continue
        dims = value.type.tensor_type.shape.dim
        for dim, size in zip(dims, shapes[value.name], strict=True):
            dim.Clear()
            dim.dim_value = size


def calibrate_outputs(model: onnx.ModelProto, feeds: dict[str, np.ndarray],
                      target_std: float = 2.0) -> dict[str, float]:
    """Scale the last layer before each output (through a final Softmax) so that its
    values have standard deviation ``target_std`` on ``feeds``: random weights through a
    deep residual network give logits in the hundreds, which saturate a softmax into a
    one-hot vector (and make the parity check meaningless). In place; returns the factor
    applied per scaled tensor. One ONNX Runtime CPU run."""
    import onnxruntime as ort

    graph = model.graph
    producers = {out: node for node in graph.node for out in node.output}
    inits = {init.name: init for init in graph.initializer}
    layers: dict[str, onnx.NodeProto] = {}
    for output in graph.output:
        node = producers.get(output.name)
        if node is not None and node.op_type == "Softmax":
            node = producers.get(node.input[0])
        if node is None or node.op_type not in ("Gemm", "Conv", "MatMul"):
            continue
        weight = node.input[1]
        while weight not in inits and weight in producers and producers[weight].op_type in (
                "Reshape", "Unsqueeze", "Flatten"):
            weight = producers[weight].input[0]
        if weight in inits:
            layers[node.output[0]] = node
    if not layers:
        return {}
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    known = {o.name for o in probe.graph.output}
    probe.graph.output.extend(onnx.ValueInfoProto(name=n) for n in layers if n not in known)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(probe.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    values = dict(zip([o.name for o in session.get_outputs()],
                      session.run(None, feeds), strict=True))
    factors = {}
    for name, node in layers.items():
        std = float(np.std(values[name]))
        if not np.isfinite(std) or std == 0.0:
            continue
        factor = target_std / std
        for tensor in node.input[1:3]:
            while tensor not in inits and tensor in producers:
                tensor = producers[tensor].input[0]
            if tensor in inits and tensor not in factors:
                array = numpy_helper.to_array(inits[tensor]) * np.float32(factor)
                inits[tensor].CopyFrom(numpy_helper.from_array(array.astype(np.float32),
                                                               tensor))
                factors[tensor] = factor
    return factors


def load_light(name: str, seed: int = 0) -> onnx.ModelProto:
    """The light model ``name`` with seeded random weights, as a normal ONNX model (the
    last layer calibrated on the benchmark's input, see :func:`calibrate_outputs`)."""
    model = onnx.load(LIGHT_DIR / f"{LIGHT_MODELS[name]}.onnx")
    randomize_weights(model, seed)
    clean_initializer_inputs(model)
    model.graph.name = name
    calibrate_outputs(model, random_feeds(model, seed + 1))
    onnx.checker.check_model(model)
    return model


def load_real(name: str) -> onnx.ModelProto:
    """The real model ``name`` with static input shapes (initializers out of the inputs)."""
    model = onnx.load(REAL_DIR / f"{name}.onnx")
    clean_initializer_inputs(model)
    fix_input_shapes(model, REAL_INPUT_SHAPES.get(name, {}))
    onnx.checker.check_model(model)
    return model


# -- inputs ----------------------------------------------------------------------------------

_NUMPY = {TensorProto.FLOAT: np.float32, TensorProto.FLOAT16: np.float16,
          TensorProto.DOUBLE: np.float64, TensorProto.INT64: np.int64,
          TensorProto.INT32: np.int32, TensorProto.UINT8: np.uint8, TensorProto.BOOL: np.bool_}


def random_feeds(model: onnx.ModelProto, seed: int = 1) -> dict[str, np.ndarray]:
    """A seeded input for every graph input (float: standard normal; images in [0, 255]
    for the style-transfer model, whose input is raw pixels)."""
    rng = np.random.default_rng(seed)
    feeds = {}
    for value in model.graph.input:
        tt = value.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else 1 for d in tt.shape.dim]
        dtype = _NUMPY[tt.elem_type]
        if np.issubdtype(dtype, np.floating):
            array = rng.standard_normal(shape)
            if model.graph.name.lower().startswith("candy") or value.name == "inputImage":
                array = rng.uniform(0.0, 255.0, shape)
        else:
            array = rng.integers(0, 2, shape)
        feeds[value.name] = np.ascontiguousarray(array.astype(dtype))
    return feeds


# -- preparation -----------------------------------------------------------------------------


def prepare(name: str, workdir: str | os.PathLike, seed: int = 0) -> Model:
    """Prepare ``name`` (light or real), save it to ``workdir`` and make its input."""
    source = available_models().get(name)
    loaders: dict[str, Callable[[], onnx.ModelProto]] = {
        "light": lambda: load_light(name, seed), "real": lambda: load_real(name)}
    if source is None:
        raise ValueError(f"unknown or absent model {name!r} (available: "
                         f"{', '.join(available_models())})")
    model = loaders[source]()
    path = os.path.join(os.fspath(workdir), f"{name}.onnx")
    onnx.save(model, path)
    parameters = sum(int(np.prod(init.dims)) for init in model.graph.initializer)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    return Model(name, source, path, random_feeds(model, seed + 1), op_counts(model),
                 parameters, opset)


def op_counts(model: onnx.ModelProto) -> dict[str, int]:
    """Node count per op type of the main graph, by op type."""
    counts: dict[str, int] = {}
    for node in model.graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return dict(sorted(counts.items()))
