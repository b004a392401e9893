"""``python -m benchmarks``: what WebNN buys you in every framework, in one command.

    python -m benchmarks                    # built-in default models, every installed framework
    python -m benchmarks --framework onnxruntime --model path/to/model.onnx --runs 50 --warmup 5
    python -m benchmarks --framework tflite --model model.tflite --precision fast
    python -m benchmarks --framework opencv --model pnet.onnx --input-shape input_1=1,240,320,3
    python -m benchmarks --out results/     # results.json, results.csv, chart.png
    python -m benchmarks --backend xla --device gpu   # WebNN on the GPU (host stays on the CPU)
    python -m benchmarks --cache-dir ov_cache/  # + first runs from OpenVINO's cache, 2nd process

For each model and framework, in one process, three runtimes read the same model file
(benchmarks/frameworks/): the framework's default path (host), the framework with its WebNN
provider, and OpenVINO directly (native). After ``--warmup`` runs of each they are timed in
``--runs`` interleaved rounds (one call of each per round, in an order where every runtime
follows every other one equally often, benchmarks/frameworks/timing.py) so machine noise and
after-effects hit all three alike. Reported: median and p90
latency, the ratios WebNN/host and WebNN/native (ratio of medians; the median of per-round
paired ratios is in the JSON), the nodes WebNN took and its partitions, the first-run time
(load + build/compile + first inference; WebNN's in-process compiled-graph cache is emptied
before each WebNN build so an earlier framework's compile of the same graph does not count)
and whether the outputs agree with the host's (rule: benchmarks/frameworks/parity.py).
Process-wide one-time costs (importing OpenVINO, WebNN's backend and the translators, loading
OpenVINO's CPU plugin) are paid before the first job (:func:`warm_up_process`, reported as
``process_warmup_s``), and oneDNN's process-wide kernel cache is off
(``ONEDNN_PRIMITIVE_CACHE_CAPACITY=0`` unless set), so each first run counts its model's cost
whichever runtime runs first.

``--cache-dir DIR`` gives WebNN (its ``cache_dir`` option) and OpenVINO (``CACHE_DIR``)
OpenVINO's compiled-model cache; after the run a second process (``--first-run-only``,
:func:`first_runs`) builds every model's WebNN and OpenVINO runtimes again from that cache:
``first_run_cached_s`` and ``loaded_from_cache`` per runtime in each JSON entry.

``--backend`` / ``--device`` choose WebNN's backend and device in every host (the ORT EP's
provider options, ``WebNNDelegate(backend=..., device=...)``, ``readNet(..., backend=...,
device=...)``); the hosts' own default paths stay on the CPU. Where OpenVINO is not the
backend, the third runtime is the direct-XLA anchor where one exists (ResNet-50 written with
``jax.lax``, benchmarks/frameworks/xla_anchor.py, on WebNN's device and precision), else
there is none and the column is left out. ``--precision`` keeps its meaning: exact is
float32 everywhere; fast is WebNN's ``precision="fast"``, the backend's fastest precision for
the device (float32 where nothing is faster, with the reason in the table's first line),
which OpenVINO's column and the anchor use too. With fast, WebNN also runs at exact
precision in the same rounds: the table's last lines give fast/exact and fast's error
against float32 (max relative difference, top-1 agreement on class scores).

Built-in models (no download, webnn_providers.testing): the light CNNs of the ``onnx`` wheel
with seeded random weights for onnxruntime and opencv, MobileNetV2 float32 and int8 built with
the TFLite flatbuffer schema for tflite. ``--model`` takes ``.onnx`` / ``.tflite`` files (or a
built-in name). A framework, model or runtime that cannot run is reported with its reason; the
run goes on.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from . import frameworks as fw
from .frameworks import results as out
from .frameworks.base import DEFAULT_DEVICES
from .frameworks.timing import environment, interleaved, ratio_summary, summarize

#: oneDNN's primitive cache capacity, which :func:`main` sets to 0 (see there)
ONEDNN_CACHE_VARIABLE = "ONEDNN_PRIMITIVE_CACHE_CAPACITY"
#: defaults of the default run (it must finish in < 5 minutes on 2 cores)
DEFAULT_RUNS = 50
DEFAULT_WARMUP = 5
FRAMEWORK_CHOICES = (*fw.FRAMEWORKS, "all")
#: WebNN backends ``--backend`` takes and the devices each accepts (None: any, the backend
#: checks); the hosts' own paths always run on the CPU
BACKEND_DEVICES: dict[str, tuple[str, ...] | None] = {"openvino": None,
                                                      "xla": ("cpu", "gpu", "cuda")}


# -- progress ----------------------------------------------------------------------------------


class ProgressBar:
    """A small progress bar on ``stream`` (stderr): redrawn in place on a terminal, one line
    per stage otherwise (logs, pipes)."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 28) -> None:
        self.total, self.done, self.width = max(total, 1), 0, width
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.text, self._last = "", 0.0

    def stage(self, text: str) -> None:
        """Name what runs now (a new line when not on a terminal)."""
        self.text = text
        if self.tty:
            self._draw(force=True)
        else:
            print(f"{self._bar()} {text}", file=self.stream, flush=True)

    def advance(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        if self.tty:
            self._draw()

    def close(self) -> None:
        self.done, self.text = self.total, "done"
        if self.tty:
            self._draw(force=True)
            print(file=self.stream, flush=True)

    def _bar(self) -> str:
        filled = int(self.width * self.done / self.total)
        return (f"[{'#' * filled}{'.' * (self.width - filled)}] "
                f"{100 * self.done // self.total:3d}%")

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        print(f"\r{self._bar()} {self.text[:60]:60}", end="", file=self.stream, flush=True)


# -- arguments ---------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    """The argument parser (its epilog shows the usage examples of the module doc)."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="What WebNN buys you in every framework: each model on the framework's "
                    "default path, the framework with WebNN, and OpenVINO directly (or, "
                    "with another --backend, the direct-XLA anchor where one exists).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n" + __doc__.split("\n\n")[1] + "\n\nframeworks: onnxruntime and "
               "opencv read .onnx models, tflite reads .tflite models")
    p.add_argument("--framework", action="append", choices=FRAMEWORK_CHOICES,
                   help="framework to run (repeatable; default: all installed)")
    p.add_argument("--model", action="append", metavar="PATH",
                   help="model file (.onnx: onnxruntime and opencv; .tflite: tflite) or "
                        "built-in model name (repeatable; default: the built-in models)")
    p.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                   help=f"timed interleaved rounds per model (default {DEFAULT_RUNS})")
    p.add_argument("--warmup", type=int, default=DEFAULT_WARMUP,
                   help=f"warm-up runs of each runtime (default {DEFAULT_WARMUP})")
    p.add_argument("--precision", choices=tuple(fw.PRECISIONS), default="exact",
                   help="exact: float32 (default); fast: reduced precision in WebNN and "
                        "the third runtime (OpenVINO: bfloat16; xla: TF32 on the GPU, "
                        "bfloat16 operands on the CPU), host unchanged")
    p.add_argument("--backend", choices=tuple(BACKEND_DEVICES), default=fw.DEFAULT_BACKEND,
                   help="WebNN's backend in every host (default openvino); where it is not "
                        "openvino the third runtime is the direct-XLA anchor where one "
                        "exists (resnet50), else none")
    p.add_argument("--device", metavar="DEVICE",
                   help="WebNN's device on that backend (openvino: CPU, GPU ...; xla: cpu "
                        "or gpu; default: the backend's default, the CPU); the host "
                        "framework's default path stays on the CPU")
    p.add_argument("--out", metavar="DIR",
                   help="write results.json, results.csv and chart.png to DIR")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="OpenVINO's compiled-model cache (CACHE_DIR) for WebNN (the "
                        "cache_dir option) and OpenVINO; after the run a second process "
                        "measures each model's first run again, from that cache")
    p.add_argument("--first-run-only", metavar="JSON", help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0, help="seed of weights and inputs")
    p.add_argument("--input-shape", action="append", metavar="NAME=D1,D2,...", default=[],
                   type=_input_shape,
                   help="concrete shape of an ONNX model input with symbolic dimensions "
                        "other than the batch, for every model with an input of that name "
                        "(repeatable), e.g. input_1=1,240,320,3")
    return p


def _input_shape(text: str) -> tuple[str, list[int]]:
    """``NAME=D1,D2,...`` -> (name, dims)."""
    name, sep, dims = text.rpartition("=")
    try:
        shape = [int(d) for d in dims.split(",")]
    except ValueError:
        shape = []
    if not sep or not name or not shape or any(d <= 0 for d in shape):
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=D1,D2,... with positive "
                                         "sizes")
    return name, shape


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parsed and checked arguments; ``framework`` becomes a list of names ("all" expanded)
    and ``explicit_framework`` says whether the user chose them."""
    p = parser()
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be >= 1")
    if args.warmup < 0:
        p.error("--warmup must be >= 0")
    devices = BACKEND_DEVICES[args.backend]
    if args.device is not None and devices is not None and args.device.lower() not in devices:
        p.error(f"--device {args.device!r}: the {args.backend} backend takes "
                f"{', '.join(devices)}")
    chosen = args.framework or ["all"]
    args.explicit_framework = "all" not in chosen
    args.framework = list(fw.FRAMEWORKS) if "all" in chosen else list(dict.fromkeys(chosen))
    return args


# -- planning ----------------------------------------------------------------------------------


@dataclass
class Job:
    """One model on one framework, or a row reported without running (``reason``)."""

    model: str
    framework: str
    reason: str | None = None


#: model file extensions any adapter reads
MODEL_EXTENSIONS = tuple(sorted({x for cls in fw.FRAMEWORKS.values() for x in cls.extensions}))


def _display_name(model: str) -> str:
    """A model's name in the table: the file name of a path, else the built-in name."""
    return Path(model).name or model


def _user_jobs(model: str, adapters: dict[str, fw.Framework], explicit: bool) -> list[Job]:
    """Jobs of one ``--model`` value (a built-in name or a file) on the chosen frameworks."""
    owners = [n for n, a in adapters.items() if model in a.builtin_models()]
    if owners:
        return [Job(model, n) for n in owners]
    suffix = Path(model).suffix.lower()
    if suffix not in MODEL_EXTENSIONS and not Path(model).is_file():
        known = sorted({m for a in adapters.values() for m in a.builtin_models()})
        return [Job(model, "-", f"not a model file nor a built-in model of "
                                f"{', '.join(adapters) or 'an available framework'} "
                                f"(built-in: {', '.join(known)})")]
    fitting = [n for n, a in adapters.items() if a.accepts(model)]
    jobs = [Job(model, n) for n in fitting]
    if explicit:
        jobs += [Job(model, n, f"{n} does not read {suffix or '(no extension)'} files (it "
                               f"reads {', '.join(a.extensions)})")
                 for n, a in adapters.items() if n not in fitting]
    if not jobs:
        jobs.append(Job(model, "-", f"no chosen framework reads {suffix or 'extension-less'} "
                                    "files (.onnx: onnxruntime, opencv; .tflite: tflite)"))
    return jobs


def plan(frameworks: list[str], models: list[str] | None, explicit: bool = False,
         adapters: dict[str, fw.Framework] | None = None) -> list[Job]:
    """The jobs of a run, model-major (a model's frameworks one after the other). A
    framework that is not available is one row with its reason."""
    adapters = adapters or {n: fw.get(n) for n in frameworks}
    jobs = []
    ready = {}
    for name in frameworks:
        why = adapters[name].available()
        if why is None:
            ready[name] = adapters[name]
        else:
            jobs.append(Job("-", name, f"not available: {why}"))
    if models:
        planned = [j for m in models for j in _user_jobs(m, ready, explicit)]
    else:
        order = list(dict.fromkeys(m for a in ready.values() for m in a.default_models()))
        planned = [Job(m, n) for m in order for n, a in ready.items()
                   if m in a.default_models()]
    return planned + jobs


# -- running -----------------------------------------------------------------------------------


def _message(exc: BaseException) -> str:
    """The telling line of an exception's message: the first, or for OpenVINO's
    "Exception from src/...:" messages the last (where the cause is)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if lines[0].startswith("Exception from ") else lines[0]


def error_info(exc: BaseException) -> dict[str, Any]:
    """The reason (type and telling line of the message) and a traceback summary (last
    frames as file:line in function)."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    return {"reason": f"{type(exc).__name__}: {_message(exc)[:300]}",
            "traceback": [f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]}


def _clean_start(role: str) -> None:
    """What every first run starts from: no garbage left for the collector (a collection
    that the work before it made due would otherwise land in whichever runtime allocates
    next) and, for WebNN, an empty in-process compiled-graph cache, so its first run
    includes its compile (another framework may already have compiled the same graph)."""
    if role in ("webnn", EXACT_ROLE):
        from webnn_core.backends import clear_caches

        clear_caches()
    gc.collect()


#: why a model has no third runtime where OpenVINO is not the backend
NO_ANCHOR = "no direct-XLA anchor for this model (there is one for the built-in resnet50)"


#: with ``--precision fast``, WebNN at exact precision as well, timed in the same rounds, so
#: that fast/exact is a ratio of one run (``ratios["webnn_vs_webnn_exact"]``)
EXACT_ROLE = "webnn_exact"


def _build(adapter: fw.Framework, prepared: fw.Prepared, precision: str, bar: ProgressBar,
           where: str) -> tuple[dict[str, fw.Runtime], dict[str, Any], dict[str, str]]:
    """The runtimes of a prepared model, the failures (reported, not raised) and the roles
    that do not apply (no direct-XLA anchor), with why."""
    runtimes, failed, absent = {}, {}, {}
    for role in fw.ROLES:
        bar.stage(f"{where}: building {role}")
        _clean_start(role)
        try:
            runtime = adapter.build(role, prepared, precision)
        except Exception as exc:  # noqa: BLE001 - report and go on with the others
            failed[role] = error_info(exc)
        else:
            if runtime is None:
                absent[role] = NO_ANCHOR
            else:
                runtimes[role] = runtime
        bar.advance()
    if precision == "fast" and "webnn" in runtimes:
        _clean_start(EXACT_ROLE)
        try:
            runtimes[EXACT_ROLE] = adapter.build("webnn", prepared, "exact")
        except Exception as exc:  # noqa: BLE001 - report and go on with the others
            failed[EXACT_ROLE] = error_info(exc)
    return runtimes, failed, absent


def _parity(runtimes: dict[str, fw.Runtime], adapter: fw.Framework, prepared: fw.Prepared,
            precision: str) -> dict[str, Any]:
    """WebNN and native outputs vs the host's (the verdicts), WebNN vs native, and where the
    framework has other kernels (TFLite's builtin ones on quantized models) those vs the
    host's: how far apart the host's own implementations are."""
    steps = prepared.output_steps
    pairs = [("webnn", "host"), ("native", "host"), ("webnn", "native"),
             ("webnn", EXACT_ROLE)]
    parity = {f"{a}_vs_{b}": fw.agreement(runtimes[a].outputs, runtimes[b].outputs, steps,
                                          precision)
              for a, b in pairs if a in runtimes and b in runtimes}
    if "host" in runtimes and any(not p["agree"] for p in parity.values()):
        try:
            alternative = adapter.host_alternative(prepared)
        except Exception as exc:  # noqa: BLE001 - a missing extra is no failure
            alternative = None
            parity["host_kernels_error"] = error_info(exc)["reason"]
        if alternative is not None:
            label, outputs = alternative
            parity["host_kernels_vs_host"] = {
                "label": label, **fw.agreement(outputs, runtimes["host"].outputs, steps,
                                               precision)}
    return parity


def _measure(entry: dict[str, Any], runtimes: dict[str, fw.Runtime], adapter: fw.Framework,
             prepared: fw.Prepared, args: argparse.Namespace, bar: ProgressBar) -> None:
    """Time the runtimes interleaved and fill latency, ratios, parity of ``entry``."""
    samples = interleaved({r: rt.call for r, rt in runtimes.items()}, args.runs, args.warmup,
                          on_round=bar.advance)
    entry["latency"] = {r: summarize(s) for r, s in samples.items()}
    entry["ratios"] = {f"webnn_vs_{other}": ratio_summary(samples["webnn"], samples[other])
                       for other in ("host", "native", EXACT_ROLE)
                       if "webnn" in samples and other in samples}
    entry["first_run_s"] = {r: rt.first_run_s for r, rt in runtimes.items()}
    entry["parity"] = _parity(runtimes, adapter, prepared, args.precision)
    if "webnn" in runtimes:
        entry["coverage"] = runtimes["webnn"].coverage
    entry["notes"] = [n for role, rt in runtimes.items() if role != EXACT_ROLE
                      for n in rt.notes]


def run_job(job: Job, adapter: fw.Framework, workdir: Path, args: argparse.Namespace,
            bar: ProgressBar) -> dict[str, Any]:
    """One model on one framework: a JSON-able entry (see benchmarks/frameworks/results.py)."""
    entry: dict[str, Any] = {"model": _display_name(job.model), "framework": job.framework,
                             "labels": dict(adapter.labels), "status": "failed"}
    if job.model not in adapter.builtin_models():
        entry["file"] = job.model
    units = 1 + len(fw.ROLES) + args.warmup + args.runs
    start = bar.done
    where = f"{Path(job.model).name} / {job.framework}"
    try:
        bar.stage(f"{where}: preparing")
        prepared = adapter.prepare(job.model, workdir, args.seed, dict(args.input_shape))
        bar.advance()
        entry.update(source=prepared.source, info=prepared.info)
        runtimes, failed, absent = _build(adapter, prepared, args.precision, bar, where)
        entry["failed"] = failed
        if absent:
            entry["not_applicable"] = absent
        if runtimes:
            bar.stage(f"{where}: timing {args.runs} rounds")
            _measure(entry, runtimes, adapter, prepared, args, bar)
            entry["status"] = "partial" if failed else "ok"
        else:
            entry["reason"] = "no runtime could run the model"
    except Exception as exc:  # noqa: BLE001 - report the model and go on
        entry.update(error_info(exc))
    bar.advance(start + units - bar.done)
    return entry


def _environment(backend: str = fw.DEFAULT_BACKEND, device: str | None = None
                 ) -> dict[str, Any]:
    """Versions and the machine, for the JSON record and the table's first line; on the
    xla backend also jax's version and WebNN's device."""
    info = environment(openvino=backend == fw.DEFAULT_BACKEND)
    if "jax" in sys.modules or backend == "xla":
        try:
            import jax

            info["jax"] = jax.__version__
            if backend == "xla":
                platform_name = "gpu" if (device or "cpu").lower() in ("gpu", "cuda") \
                    else "cpu"
                info["xla_device"] = str(jax.devices(platform_name)[0].device_kind)
        except Exception:  # noqa: BLE001, S110 - facts for the record only
            pass
    info["platform"] = platform.platform()
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((line.split(":", 1)[1].strip() for line in f
                                if line.startswith("model name")), platform.processor())
    except OSError:
        info["cpu"] = platform.processor()
    for module in ("cv2", "ai_edge_litert", "tflite_runtime"):
        try:
            info[module] = __import__(module).__version__
        except (ImportError, AttributeError):
            pass
    return info


def backend_problem(backend: str, device: str | None) -> str | None:
    """None when WebNN can create a context on ``backend`` / ``device`` (the default run's
    OpenVINO is checked by each framework's own runs), else why not: every job of the run
    is then reported with it instead of running hosts without WebNN."""
    if backend == fw.DEFAULT_BACKEND and device is None:
        return None
    try:
        from webnn_core import ml

        options = {"backend": backend} if device is None else {"backend": backend,
                                                                "device": device}
        ml.create_context(**options)
    except Exception as exc:  # noqa: BLE001 - the reason is the report
        return f"WebNN backend {backend} ({device or 'default device'}) not available: " \
               f"{type(exc).__name__}: {_message(exc)[:200]}"
    return None


def warm_up_process(backend: str = fw.DEFAULT_BACKEND, device: str | None = None) -> float:
    """Pay the process-wide one-time costs before any first run is timed, so that each
    first run counts what its model costs, whichever runtime comes first: importing
    OpenVINO and WebNN's backend, the providers' translator modules, and loading
    OpenVINO's CPU plugin (a tiny model compiled once; every runtime then finds it
    loaded). Returns the seconds it took (reported as ``process_warmup_s``)."""
    t0 = time.perf_counter()
    from webnn_core.backends import get_backend

    try:
        get_backend(backend)
        for module in ("webnn_providers.onnx.translator", "webnn_providers.tflite.translator"):
            try:
                __import__(module, fromlist=["REGISTRY"]).REGISTRY.load()
            except ImportError:
                pass  # that framework is not installed: its jobs say so
        if backend == fw.DEFAULT_BACKEND:
            import numpy as np
            import openvino as ov
            import openvino.opset16 as ops

            x = ops.parameter([1, 4], np.float32)
            tiny = ov.Model([ops.result(ops.relu(x))], [x], "warm-up")
            ov.Core().compile_model(tiny, device or "CPU")
    except Exception:  # noqa: BLE001, S110 - a broken setup is reported by the jobs
        pass
    return time.perf_counter() - t0


def _precision_text(precision: str, backend: str, device: str) -> str:
    """What WebNN computes in for ``--precision`` (and why, for fast), or the option's value
    where no context can be made (the jobs report why)."""
    try:
        return str(fw.precision_choice(precision, backend, device))
    except Exception:  # noqa: BLE001 - an unavailable backend or device is reported per job
        return fw.webnn_precision(precision, backend, device)


def _adapters(args: argparse.Namespace) -> dict[str, fw.Framework]:
    adapters = {n: fw.get(n, args.backend, args.device) for n in args.framework}
    for adapter in adapters.values():
        adapter.cache_dir = args.cache_dir
    return adapters


def _jobs(args: argparse.Namespace, adapters: dict[str, fw.Framework]) -> list[Job]:
    jobs = plan(args.framework, args.model, args.explicit_framework, adapters)
    problem = backend_problem(args.backend, args.device)
    if problem is not None:
        jobs = [j if j.reason else Job(j.model, j.framework, problem) for j in jobs]
    return jobs


def first_runs(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The ``webnn`` and ``native`` first runs of every job, nothing else (no host, no
    timing rounds): what the second process of ``--cache-dir`` measures. Each entry:
    model, framework, ``first_run_s`` per role, ``loaded_from_cache`` per role (whether
    OpenVINO loaded every compiled model of that runtime from ``CACHE_DIR``)."""
    warm_up_process(args.backend, args.device)
    from webnn_core.backends import openvino as ov_backend

    adapters = _adapters(args)
    entries = []
    with tempfile.TemporaryDirectory(prefix="webnn-bench-") as tmp:
        for job in _jobs(args, adapters):
            if job.reason is not None:
                continue
            entry: dict[str, Any] = {"model": _display_name(job.model),
                                     "framework": job.framework, "first_run_s": {},
                                     "loaded_from_cache": {}}
            adapter = adapters[job.framework]
            try:
                prepared = adapter.prepare(job.model, Path(tmp), args.seed,
                                           dict(args.input_shape))
                for role in ("webnn", "native"):
                    _clean_start(role)
                    before = dict(ov_backend.DISK_CACHE)
                    runtime = adapter.build(role, prepared, args.precision)
                    if runtime is None:
                        continue
                    entry["first_run_s"][role] = runtime.first_run_s
                    if role == "native":
                        loaded = runtime.first_run.get("loaded_from_cache")
                    else:
                        after = ov_backend.DISK_CACHE
                        loaded = (after["loaded"] > before["loaded"]
                                  and after["compiled"] == before["compiled"])
                    entry["loaded_from_cache"][role] = loaded
            except Exception as exc:  # noqa: BLE001 - report and go on
                entry.update(error_info(exc))
            entries.append(entry)
            gc.collect()
    return entries


def second_process(args: argparse.Namespace) -> dict[tuple[str, str], dict[str, Any]]:
    """Run :func:`first_runs` in a new Python process on the same cache directory (the
    ``--cache-dir`` measurement): (model, framework) -> its entry; empty when it fails."""
    import json
    import subprocess

    argv = [sys.executable, "-m", "benchmarks", "--seed", str(args.seed),
            "--precision", args.precision, "--backend", args.backend,
            "--cache-dir", str(args.cache_dir)]
    for name in args.framework:
        argv += ["--framework", name]
    for model in args.model or []:
        argv += ["--model", model]
    for name, dims in args.input_shape:
        argv += ["--input-shape", f"{name}={','.join(str(d) for d in dims)}"]
    if args.device is not None:
        argv += ["--device", args.device]
    with tempfile.TemporaryDirectory(prefix="webnn-bench-") as tmp:
        path = Path(tmp) / "first_runs.json"
        root = str(Path(__file__).resolve().parents[1])  # where ``benchmarks`` is found
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        done = subprocess.run([*argv, "--first-run-only", str(path)], capture_output=True,
                              text=True, check=False, env=env)
        if done.returncode != 0 or not path.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
            return {("-", "-"): {"reason": f"second process failed: {tail}"}}
        entries = json.loads(path.read_text())
    return {(e["model"], e["framework"]): e for e in entries}


def run(args: argparse.Namespace, stream: TextIO | None = None) -> dict[str, Any]:
    """Plan and run every job; the result dict of benchmarks/frameworks/results.py."""
    t0 = time.perf_counter()
    warmup_s = warm_up_process(args.backend, args.device)
    adapters = _adapters(args)
    jobs = _jobs(args, adapters)
    units = 1 + len(fw.ROLES) + args.warmup + args.runs
    bar = ProgressBar(sum(units for j in jobs if j.reason is None), stream)
    entries = []
    with tempfile.TemporaryDirectory(prefix="webnn-bench-") as tmp:
        for job in jobs:
            if job.reason is not None:
                entries.append({"model": _display_name(job.model), "framework": job.framework,
                                "status": "not run", "reason": job.reason})
                continue
            entries.append(run_job(job, adapters[job.framework], Path(tmp), args, bar))
            gc.collect()
    if args.cache_dir is not None:
        bar.stage(f"first runs in a second process from the cache in {args.cache_dir}")
        cached = second_process(args)
        for entry in entries:
            found = cached.get((entry["model"], entry["framework"]))
            if found is not None:
                entry["first_run_cached_s"] = found.get("first_run_s", {})
                entry["loaded_from_cache"] = found.get("loaded_from_cache", {})
                if "reason" in found:
                    entry["cached_reason"] = found["reason"]
    bar.close()
    device = args.device or DEFAULT_DEVICES.get(args.backend, "CPU")
    settings = {"runs": args.runs, "warmup": args.warmup, "precision": args.precision,
                "webnn_precision": _precision_text(args.precision, args.backend, device),
                "frameworks": args.framework, "models": args.model, "seed": args.seed,
                "backend": args.backend, "device": device, "cache_dir": args.cache_dir,
                "onednn_primitive_cache": os.environ.get(ONEDNN_CACHE_VARIABLE)}
    return {"settings": settings, "environment": _environment(args.backend, device),
            "results": entries, "process_warmup_s": warmup_s,
            "wall_s": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``; 0 unless nothing could run at all."""
    args = parse_args(argv)
    if argv is None:  # the command line (not a caller's process, e.g. the tests')
        # oneDNN (inside OpenVINO's CPU plugin) keeps the kernels it generated for a layer
        # shape process-wide: the runtime compiling a model second would find the first
        # one's kernels (WebNN always builds before OpenVINO). Without that cache every
        # first run generates its kernels, as in a fresh process (set before OpenVINO
        # loads; compiled models keep theirs, so inference is unchanged)
        os.environ.setdefault(ONEDNN_CACHE_VARIABLE, "0")
    if args.first_run_only:
        import json

        Path(args.first_run_only).write_text(json.dumps(first_runs(args)))
        return 0
    result = run(args)
    print(out.format_table(result))
    if args.out:
        paths = out.write_all(result, args.out)
        print("\nwritten: " + ", ".join(str(p) for p in paths))
    ran = [e for e in result["results"] if e["status"] in ("ok", "partial")]
    return 0 if ran else 1
