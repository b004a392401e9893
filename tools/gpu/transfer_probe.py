"""Where a ResNet-50 call's time goes beyond the GPU work: one JSON object of medians (ms).

Builds the light ResNet-50 through the ONNX provider on ``backend="xla"`` (the backend's own
constant limits) and times, each alone: the executable on an input already on the device
(``device``), the same outside the scoped 64-bit mode (``device no x64``), the executable
given the host array (``host in``), the same plus reading the result back (``host in,
out``), the graph's ``dispatch_arrays`` (what the providers call), ``jax.device_put`` of the
input alone (``put``), reading back a fresh result alone (``get``), entering and leaving the
64-bit mode (``x64 scope``), and a trivial executable (a sum of the same input) with device
and host input, which shows the fixed cost of a call and of one transfer. With
``--pinned`` it also tries a pinned host copy of the input (``memory_kind="pinned_host"``).

Run from the repo root on the GPU machine, once per XLA_FLAGS setting to compare::

    PYTHONPATH=. python3 tools/gpu/transfer_probe.py [gpu|cpu] [TAG] [--runs N] [--pinned]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from webnn_providers.onnx import build_graph, from_onnx_model
from webnn_providers.testing.onnx_models import load_light

import webnn_core as webnn
from tools.gpu._timing import median_ms
from webnn_core.backends import xla as X


def timings(device: str, runs: int, warmup: int, pinned: bool) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    ctx = webnn.ml.create_context(backend="xla", device=device)
    t0 = time.perf_counter()
    graph_ir = from_onnx_model(load_light("resnet50"))
    built = build_graph(ctx, graph_ir, range(len(graph_ir.nodes)))
    graph = built.graph
    (name,) = built.inputs
    shape = graph.input_descriptors[name].shape
    x = np.random.default_rng(1).random(shape, dtype=np.float32)
    outputs = {n: np.empty(d.shape, d.numpy_dtype) for n, d in graph.output_descriptors.items()}
    graph.dispatch_arrays({name: x}, outputs)
    rows["first run s"] = round(time.perf_counter() - t0, 2)
    exe = graph._compiled._exe
    dev = exe.device
    rows["constant args"] = len(exe.constant_ids)

    def ms(fn: Any, before: Any = None) -> float:
        return median_ms(fn, runs, warmup, before)

    with X.x64():
        x_dev = jax.device_put(x, dev)
        rows["device"] = ms(lambda: jax.block_until_ready(exe.run((x_dev,))))
        rows["host in"] = ms(lambda: jax.block_until_ready(exe.run((x,))))
        rows["host in, out"] = ms(lambda: [np.asarray(r) for r in exe.run((x,))])
        rows["put"] = ms(lambda: jax.device_put(x, dev).block_until_ready())
        fresh: list[Any] = []

        def make() -> None:
            fresh[:] = [jax.block_until_ready(exe.run((x_dev,)))]

        rows["get"] = ms(lambda: [np.asarray(r) for r in fresh[0]], before=make)
    rows["device no x64"] = ms(lambda: jax.block_until_ready(exe.run((x_dev,))))
    rows["dispatch_arrays"] = ms(lambda: graph.dispatch_arrays({name: x}, outputs))

    def scope() -> None:
        with X.x64():
            pass

    rows["x64 scope"] = ms(scope)
    trivial = jax.jit(lambda a: jnp.sum(a, axis=(2, 3))).lower(
        jax.ShapeDtypeStruct(shape, np.float32,
                             sharding=jax.sharding.SingleDeviceSharding(dev))).compile()
    rows["trivial device"] = ms(lambda: jax.block_until_ready(trivial(x_dev)))
    rows["trivial host in, out"] = ms(lambda: np.asarray(trivial(x)))
    if pinned:
        rows.update(pinned_rows(x, dev, exe, ms))
    return rows


def pinned_rows(x: np.ndarray, dev: jax.Device, exe: Any, ms: Any) -> dict[str, Any]:
    """A pinned host copy of the input: its creation from numpy, its move to the device, and
    the executable fed from it (each errors out on platforms without pinned host memory)."""
    rows: dict[str, Any] = {}
    try:
        pinned_sharding = jax.sharding.SingleDeviceSharding(dev, memory_kind="pinned_host")
        on_device = jax.sharding.SingleDeviceSharding(dev, memory_kind="device")
        with X.x64():
            xp = jax.device_put(x, pinned_sharding)
            rows["pinned: numpy -> pinned"] = ms(
                lambda: jax.device_put(x, pinned_sharding).block_until_ready())
            rows["pinned: pinned -> device"] = ms(
                lambda: jax.device_put(xp, on_device).block_until_ready())
            rows["pinned: run from pinned, out"] = ms(
                lambda: [np.asarray(r) for r in exe.run((jax.device_put(xp, on_device),))])
    except Exception as exc:  # noqa: BLE001 - a probe reports what the platform lacks
        rows["pinned error"] = f"{type(exc).__name__}: {exc}"[:300]
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("device", nargs="?", default="gpu", choices=("gpu", "cpu"))
    parser.add_argument("tag", nargs="?", default="")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--pinned", action="store_true")
    args = parser.parse_args(argv)
    rows = timings(args.device, args.runs, args.warmup, args.pinned)
    header = {"tag": args.tag, "XLA_FLAGS": os.environ.get("XLA_FLAGS", ""),
              "jax device": str(jax.devices()[0])}
    print(json.dumps({**header, **rows}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
