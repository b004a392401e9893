"""Output of ``python -m benchmarks``: the table printed at the end, and ``--out``'s
results.json (everything), results.csv (one row per model and framework) and chart.png
(grouped bars: median latency of host, WebNN and OpenVINO per model and framework, p90 as
the error bar, log scale).

A result is a dict: ``settings``, ``environment``, ``wall_s`` and ``results``, a list of
entries (one per model and framework; see :func:`benchmarks.cli.run_job`) with ``status``
"ok" (all three runtimes ran), "partial" (some failed: ``failed`` has the reasons),
"failed" (nothing ran: ``reason``, ``traceback``) or "not run" (``reason``).

The third runtime (``native``) is OpenVINO when WebNN runs on the OpenVINO backend (the
default); with ``--backend xla`` it is the direct-XLA anchor, which exists for some models
only (``not_applicable`` names the others): its cells are then empty, and where no row of a
run has one the table leaves its columns out (:func:`native_titles`).
"""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path
from typing import Any

from .parity import QUANTIZED_SHARE

#: columns of results.csv
CSV_COLUMNS = (
    "model", "framework", "status", "precision", "host", "host_median_ms", "host_p90_ms",
    "webnn_median_ms", "webnn_p90_ms", "native_median_ms", "native_p90_ms", "webnn_vs_host",
    "webnn_vs_native", "fast_vs_exact", "webnn_nodes", "nodes", "webnn_share", "partitions",
    "host_first_run_s", "webnn_first_run_s", "native_first_run_s",
    "webnn_first_run_cached_s", "native_first_run_cached_s", "webnn_agrees",
    "native_agrees", "webnn_max_rel_diff", "native_max_rel_diff", "reason")
ROLE_TITLES = {"host": "host", "webnn": "WebNN", "native": "OpenVINO"}
#: (column title, short title, chart label) of the third runtime per WebNN backend
NATIVE_TITLES = {"openvino": ("OpenVINO", "OV", "OpenVINO native")}
ANCHOR_TITLES = ("XLA direct", "XLA", "XLA direct (jax.lax)")


def native_titles(settings: dict[str, Any]) -> tuple[str, str, str]:
    """(column title, short title, chart label) of the third runtime of a run."""
    return NATIVE_TITLES.get(settings.get("backend", "openvino"), ANCHOR_TITLES)


def role_titles(settings: dict[str, Any]) -> dict[str, str]:
    """Role -> its title in the table of a run with these settings."""
    return {**ROLE_TITLES, "native": native_titles(settings)[0]}


def _has_native(result: dict[str, Any]) -> bool:
    """Whether the table shows the third runtime's columns: always on the OpenVINO backend
    (the default run's table never changes), else where some row ran one."""
    if result["settings"].get("backend", "openvino") == "openvino":
        return True
    return any((e.get("latency") or {}).get("native") for e in result["results"])


# -- access helpers --------------------------------------------------------------------------


def _latency(entry: dict[str, Any], role: str, key: str) -> float | None:
    stats = entry.get("latency", {}).get(role)
    return stats[key] if stats else None


def _ratio(entry: dict[str, Any], key: str) -> float | None:
    ratio = entry.get("ratios", {}).get(key)
    return ratio["ratio_of_medians"] if ratio else None


def _agrees(entry: dict[str, Any], role: str) -> bool | None:
    parity = entry.get("parity", {}).get(f"{role}_vs_host")
    return parity["agree"] if parity else None


def _first(entry: dict[str, Any], role: str) -> float | None:
    return entry.get("first_run_s", {}).get(role)


def _reason(entry: dict[str, Any]) -> str:
    if entry.get("reason"):
        return entry["reason"]
    return "; ".join(f"{role}: {f['reason']}" for role, f in entry.get("failed", {}).items())


# -- table -----------------------------------------------------------------------------------


def _pair(a: float | None, b: float | None, spec: str = ".1f") -> str:
    if a is None:
        return "-"
    return f"{a:{spec}}/{b:{spec}}" if b is not None else f"{a:{spec}}"


def _yes(e: dict[str, Any], role: str) -> str:
    """yes / NO / NO* (* the host's own kernels differ from the host as much: see notes)."""
    value = _agrees(e, role)
    if value is None:
        return "-"
    spread = e.get("parity", {}).get("host_kernels_vs_host")
    return "yes" if value else ("NO*" if spread and not spread["agree"] else "NO")


def _row(e: dict[str, Any], native: bool = True) -> str:
    """A table row; ``native``: with the third runtime's columns."""
    cov = e.get("coverage") or {}
    nodes = f"{cov['delegated']}/{cov['nodes']}" if cov else "-"
    share = f"{100 * cov['share']:.0f}%" if cov else "-"
    parts = str(cov["partitions"]) if cov else "-"
    roles = list(ROLE_TITLES) if native else ["host", "webnn"]
    lat = [f"{_pair(_latency(e, r, 'median_ms'), _latency(e, r, 'p90_ms')):>13}"
           for r in roles]
    wh, wn = _ratio(e, "webnn_vs_host"), _ratio(e, "webnn_vs_native")
    ratios = [f"{'-' if wh is None else f'{wh:.2f}x':>7}"]
    if native:
        ratios.append(f"{'-' if wn is None else f'{wn:.2f}x':>7}")
    first = "/".join("-" if _first(e, r) is None else f"{_first(e, r):.2f}" for r in roles)
    agree = f"{_yes(e, 'webnn')}/{_yes(e, 'native')}" if native else _yes(e, "webnn")
    return " ".join([f"{e['model'][:18]:18}", f"{e['framework']:11}", *lat, *ratios,
                     f"{nodes:>9} {share:>4} {parts:>5} ", f"{first:>15}", f"{agree:>8}"])


def header(title: str = "OpenVINO", short: str = "OV", native: bool = True) -> str:
    """The two header lines of the table, the third runtime called ``title`` (``short``
    in the ratio, first-run and agree columns) or left out (``native`` False)."""
    top = [f"{'model':18}", f"{'framework':11}", f"{'host ms':>13}", f"{'WebNN ms':>13}"]
    bottom = [f"{'':18}", f"{'':11}", f"{'median/p90':>13}", f"{'median/p90':>13}"]
    if native:
        top.append(f"{title + ' ms':>13}")
        bottom.append(f"{'median/p90':>13}")
    top.append(f"{'WebNN/':>7}")
    bottom.append(f"{'host':>7}")
    if native:
        top.append(f"{'WebNN/':>7}")
        bottom.append(f"{short:>7}")
    first = f"host/WebNN/{short}" if native else "host/WebNN"
    top += [f"{'WebNN took':>20} ", f"{'first run s':>15}", f"{'agree':>8}"]
    bottom += [f"{'nodes':>9} {'':>4} {'parts':>5} ", f"{first:>15}",
               f"{'WebNN/' + short if native else 'WebNN':>8}"]
    return " ".join(top) + "\n" + " ".join(bottom)


HEADER = header()

LEGEND = ("host: ORT CPU EP | OpenCV DNN default backend | TFLite interpreter (XNNPACK); WebNN: "
          "the same framework with its WebNN provider (OpenVINO backend); OpenVINO: OpenVINO "
          "reading the same model file. Latencies per inference (ms); WebNN/host and "
          "WebNN/OV: ratio of median latencies (< 1: WebNN is faster); WebNN nodes: nodes "
          "WebNN took / nodes the provider saw, parts: WebNN partitions; first run: seconds "
          "to the first result (load, build/compile, first inference); agree: outputs match "
          "the host's within tolerance.")



def legend(settings: dict[str, Any]) -> str:
    """The legend under the table: :data:`LEGEND` on the OpenVINO backend."""
    backend = settings.get("backend", "openvino")
    if backend == "openvino":
        return LEGEND
    return (f"host: ORT CPU EP | OpenCV DNN default backend | TFLite interpreter (XNNPACK), on "
            f"the CPU; WebNN: the same framework with its WebNN provider ({backend} backend, "
            f"device {settings.get('device', '?')}, precision "
            f"{settings.get('webnn_precision', '?')}); XLA direct: ResNet-50 written with "
            "jax.lax and jitted on the same device and precision, weights read from the same "
            "model file (the XLA ceiling; other models have none: '-'). Latencies per "
            "inference (ms); WebNN/host and WebNN/XLA: ratio of median latencies (< 1: WebNN "
            "is faster); WebNN nodes: nodes WebNN took / nodes the provider saw, parts: "
            "WebNN partitions; first run: seconds to the first result (load, build/compile, "
            "first inference); agree: outputs match the host's within tolerance.")


#: characters of a reason shown in a table row (the notes carry longer ones in full)
REASON_WIDTH = 110


def _notes(results: list[dict[str, Any]], titles: dict[str, str] | None = None) -> list[str]:
    """Lines under the table: why a row did not (fully) run, ops left to the host, outputs
    that differ from the host's (``titles``: :func:`role_titles`)."""
    titles = titles or ROLE_TITLES
    lines = []
    for e in results:
        where = f"{e['model']} / {e['framework']}"
        if e["status"] == "partial" or len(_reason(e)) > REASON_WIDTH:
            lines.append(f"{where}: {e['status']}: {_reason(e)}")
        fallback = (e.get("coverage") or {}).get("fallback") or {}
        if fallback:
            lines.append(f"{where}: left to the host: "
                         + ", ".join(f"{op} x{n}" for op, n in fallback.items()))
        for note in e.get("notes", []):
            lines.append(f"{where}: {note}")
        for role in ("webnn", "native"):
            parity = e.get("parity", {}).get(f"{role}_vs_host")
            if parity and not parity["agree"]:
                lines.append(f"{where}: {titles[role]} outputs differ from the host's: "
                             + _parity_text(parity))
        between = e.get("parity", {}).get("webnn_vs_native")
        if between and not _agrees(e, "webnn"):
            lines.append(f"{where}: WebNN vs {titles['native']}: "
                         + ("agree" if between["agree"] else _parity_text(between)))
        spread = e.get("parity", {}).get("host_kernels_vs_host")
        if spread and not spread["agree"]:
            lines.append(f"{where}: * the host's own {spread['label']} differ from it as "
                         f"well: {_parity_text(spread)}")
    return lines


def _parity_text(parity: dict[str, Any]) -> str:
    """The worst output's difference: in quantization steps where the rule is steps."""
    if "error" in parity:
        return parity["error"]
    steps = [p for p in parity.get("outputs", []) if p.get("rule") == "steps"]
    if steps:
        worst = min(steps, key=lambda p: p["share_within_1"])
        return (f"up to {worst['max_steps']:.0f} quantization steps, "
                f"{100 * worst['share_within_1']:.1f}% of the elements within 1 step "
                f"(rule: >= {100 * QUANTIZED_SHARE:.0f}%)")
    return (f"max |d| {parity.get('max_abs_diff', 0):.3g}, "
            f"{parity.get('max_rel_diff', 0):.3g} of the output's scale")


def format_table(result: dict[str, Any]) -> str:
    """The readable table of a run, its legend and notes."""
    s = result["settings"]
    backend = s.get("backend", "openvino")
    where = "" if backend == "openvino" else f", WebNN on {backend}/{s.get('device', '?')}"
    native = _has_native(result)
    title, short, _ = native_titles(s)
    lines = [f"WebNN benchmark: {s['runs']} interleaved runs after {s['warmup']} warm-up, "
             f"precision {s['precision']} ({s['webnn_precision']}){where}, "
             f"{result['environment'].get('cpu', '?')}, "
             f"{result['environment'].get('cpu_count', '?')} logical CPUs", "",
             header(title, short, native)]
    lines += [_row(e, native) if e["status"] in ("ok", "partial")
              else f"{e['model'][:18]:18} {e['framework']:11} {e['status']}: "
                   f"{_reason(e)[:REASON_WIDTH]}" for e in result["results"]]
    lines += [""] + textwrap.wrap(legend(s), 100)
    notes = _notes(result["results"], role_titles(s))
    if notes:
        lines += [""] + notes
    fast = precision_lines(result)
    if fast:
        lines += [""] + fast
    cached = cached_lines(result)
    if cached:
        lines += [""] + cached
    if "wall_s" in result:
        warm = result.get("process_warmup_s")
        warm = f" (process warm-up before the first job {warm:.2f} s)" if warm else ""
        lines += ["", f"wall time {result['wall_s']:.0f} s{warm}"]
    return "\n".join(lines)


def precision_lines(result: dict[str, Any]) -> list[str]:
    """With ``--precision fast``: per model, WebNN fast / WebNN exact (medians of the same
    rounds) and fast's error against float32 (the host's outputs): max relative difference
    (quantized outputs: the largest difference in quantization steps) and, on class scores,
    whether the top-1 class is the same."""
    rows = [e for e in result["results"] if "webnn_vs_webnn_exact" in e.get("ratios", {})]
    if not rows:
        return []
    lines = [f"fast vs exact: WebNN at {result['settings'].get('webnn_precision', 'fast')} "
             "and at float32 in the same rounds",
             f"{'model':18} {'framework':11} {'fast/exact':>10} {'max rel vs f32':>15} "
             f"{'top-1':>6}"]
    for e in rows:
        error = e.get("parity", {}).get("webnn_vs_host", {})
        steps = [p["max_steps"] for p in error.get("outputs", []) if p.get("rule") == "steps"]
        rel = error.get("max_rel_diff")
        shown = (f"{max(steps):.0f} steps" if steps else "-" if rel is None else f"{rel:.2g}")
        top1 = error.get("top1_agree")
        lines.append(f"{e['model'][:18]:18} {e['framework']:11} "
                     f"{_ratio(e, 'webnn_vs_webnn_exact'):>9.2f}x {shown:>15} "
                     f"{'-' if top1 is None else ('yes' if top1 else 'NO'):>6}")
    return lines


def cached_lines(result: dict[str, Any]) -> list[str]:
    """With ``--cache-dir``: each model's first run in this process (compiled, written to
    the cache) and in a second process (read from it), WebNN and OpenVINO side by side."""
    rows = [e for e in result["results"] if "first_run_cached_s" in e]
    if not rows:
        return []
    where = result["settings"].get("cache_dir")
    lines = [*textwrap.wrap(
        f"first run s with OpenVINO's compiled-model cache ({where}): this process "
        "(compiles, writes the cache) / a second process (reads it); loaded: whether the "
        "second process loaded every compiled model from the cache", 100),
             f"{'model':18} {'framework':11} {'WebNN s':>13} {'OpenVINO s':>13} "
             f"{'WebNN/OV 2nd':>12} {'loaded WebNN/OV':>16}"]
    for e in rows:
        first, cached = e.get("first_run_s", {}), e["first_run_cached_s"]
        loaded = e.get("loaded_from_cache", {})
        ratio = (f"{cached['webnn'] / cached['native']:.2f}x"
                 if cached.get("webnn") and cached.get("native") else "-")
        flags = "/".join("yes" if loaded.get(r) else ("no" if r in loaded else "-")
                         for r in ("webnn", "native"))
        lines.append(f"{e['model'][:18]:18} {e['framework']:11} "
                     f"{_pair(first.get('webnn'), cached.get('webnn'), '.2f'):>13} "
                     f"{_pair(first.get('native'), cached.get('native'), '.2f'):>13} "
                     f"{ratio:>12} {flags:>16}")
    return lines


# -- files -----------------------------------------------------------------------------------


def csv_row(e: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """One results.csv row of an entry (empty cells for what did not run)."""
    cov = e.get("coverage") or {}
    row: dict[str, Any] = {"model": e["model"], "framework": e["framework"],
                           "status": e["status"], "precision": settings["precision"],
                           "host": e.get("labels", {}).get("host", ""),
                           "reason": _reason(e) if e["status"] != "ok" else ""}
    for role in ROLE_TITLES:
        row[f"{role}_median_ms"] = _latency(e, role, "median_ms")
        row[f"{role}_p90_ms"] = _latency(e, role, "p90_ms")
        row[f"{role}_first_run_s"] = _first(e, role)
    for role in ("webnn", "native"):
        row[f"{role}_first_run_cached_s"] = e.get("first_run_cached_s", {}).get(role)
    row.update(webnn_vs_host=_ratio(e, "webnn_vs_host"),
               webnn_vs_native=_ratio(e, "webnn_vs_native"),
               fast_vs_exact=_ratio(e, "webnn_vs_webnn_exact"),
               webnn_nodes=cov.get("delegated"), nodes=cov.get("nodes"),
               webnn_share=cov.get("share"), partitions=cov.get("partitions"))
    for role in ("webnn", "native"):
        parity = e.get("parity", {}).get(f"{role}_vs_host")
        row[f"{role}_agrees"] = _agrees(e, role)
        row[f"{role}_max_rel_diff"] = parity.get("max_rel_diff") if parity else None
    return {k: ("" if row.get(k) is None else row[k]) for k in CSV_COLUMNS}


def write_json(result: dict[str, Any], path: Path) -> None:
    with open(path, "w") as f:
        json.dump(result, f, indent=2, default=str)


def write_csv(result: dict[str, Any], path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for e in result["results"]:
            writer.writerow(csv_row(e, result["settings"]))


def write_chart(result: dict[str, Any], path: Path) -> None:
    """Grouped bars per model and framework (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    rows = [e for e in result["results"] if e.get("latency")]
    fig, ax = plt.subplots(figsize=(min(13.0, max(6.0, 0.9 * len(rows) + 2)), 5.5))
    width = 0.27
    colors = {"host": "#8c8c8c", "webnn": "#1f77b4", "native": "#ff7f0e"}
    s = result["settings"]
    labels = {"host": "host (framework default)", "webnn": "WebNN (provider)",
              "native": native_titles(s)[2]}
    for k, role in enumerate(ROLE_TITLES):
        xs, meds, errs = [], [], []
        for i, e in enumerate(rows):
            med, p90 = _latency(e, role, "median_ms"), _latency(e, role, "p90_ms")
            if med is not None:
                xs.append(i + (k - 1) * width)
                meds.append(med)
                errs.append(max(p90 - med, 0.0))
        if not xs and role == "native" and s.get("backend", "openvino") != "openvino":
            continue  # no direct-XLA anchor in this run
        ax.bar(xs, meds, width, yerr=[[0.0] * len(errs), errs], capsize=2,
               color=colors[role], label=labels[role])
    for i, e in enumerate(rows):
        ratio, med = _ratio(e, "webnn_vs_host"), _latency(e, "webnn", "p90_ms")
        if ratio is not None and med is not None:
            ax.annotate(f"{ratio:.2f}x", (i, med), textcoords="offset points", xytext=(0, 3),
                        ha="center", fontsize=7, color=colors["webnn"])
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([f"{e['model']}\n{e['framework']}" for e in rows], fontsize=8,
                       rotation=35 if len(rows) > 8 else 0,
                       ha="right" if len(rows) > 8 else "center")
    if rows:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: f"{v:g}" if f"{v:.0e}"[0] in "25" else ""))
        ax.tick_params(axis="y", which="minor", labelsize=7)
    on = "" if s.get("backend", "openvino") == "openvino" else \
        f" on {s['backend']}/{s.get('device', '?')}"
    ax.set_ylabel("latency per inference, ms (median; whisker: p90)")
    ax.set_title(f"host framework vs with WebNN{on} vs {labels['native']} (WebNN/host above "
                 f"the blue bars); precision {s['precision']}, "
                 f"{result['environment'].get('cpu_count', '?')} CPUs", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_all(result: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """results.json, results.csv and chart.png in ``out_dir`` (created); their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "results.json", out / "results.csv", out / "chart.png"]
    write_json(result, paths[0])
    write_csv(result, paths[1])
    write_chart(result, paths[2])
    return paths
