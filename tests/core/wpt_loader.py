"""Load the WPT WebNN conformance vectors (JSON) and decode their data the way WPT does.

The vectors are web-platform-tests ``webnn/conformance_tests/<op>.https.any.js`` turned
into JSON (see ``shared/conformance/wpt/README.md``). Data decoding follows WPT's
``webnn/resources/utils.js``: ``getTypedArrayData`` (a scalar ``data`` with a larger shape
fills the whole shape; float16 goes through ``toHalf``; int64/uint64 through ``BigInt``),
and ``assertResultsEquals`` (a scalar expectation is checked on the first
``kMaximumIndexToValidate`` = 1000 elements only).

Conversion losses (``null`` where JavaScript had NaN/Infinity, data that does not parse,
a self-inconsistent case) are reported as a skip reason, never repaired.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: WPT utils.js: "The maximum index to validate for the output's expected value."
MAX_INDEX_TO_VALIDATE = 1000

_REPO = Path(__file__).resolve().parents[2]
_SHARED = _REPO.parent / "shared"
_DTYPES = {
    "float32": np.float32, "float16": np.float16, "int32": np.int32, "uint32": np.uint32,
    "int64": np.int64, "uint64": np.uint64, "int8": np.int8, "uint8": np.uint8,
}
_INT_BITS = {"int8": 8, "uint8": 8, "int32": 32, "uint32": 32}
_IRREGULAR_NAMES = {"isNaN": "is_nan", "gatherND": "gather_nd", "scatterND": "scatter_nd"}


class ConversionError(ValueError):
    """A case whose JSON cannot be decoded faithfully (a conversion loss)."""


def wpt_dir() -> Path:
    """The vector folder: ``$WEBNN_WPT_DIR`` or ``<repo>/../shared/conformance/wpt``."""
    env = os.environ.get("WEBNN_WPT_DIR")
    return Path(env) if env else _SHARED / "conformance" / "wpt"


def method_name(op: str) -> str:
    """The builder method for a WebNN operator name: ``reduceLogSumExp`` ->
    ``reduce_log_sum_exp``, ``convTranspose2d`` -> ``conv_transpose2d``, ``gatherND`` ->
    ``gather_nd``, ``isNaN`` -> ``is_nan``."""
    if op in _IRREGULAR_NAMES:
        return _IRREGULAR_NAMES[op]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", op).lower()


def option_name(key: str) -> str:
    """An options-dictionary member as a keyword: ``keepDimensions`` -> ``keep_dimensions``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()


# -- numbers ---------------------------------------------------------------------------------
def _to_number(value: Any) -> float | int:
    """A JSON data item as JavaScript saw it: numbers, BigInt literals ``"123n"`` and
    decimal strings become Python numbers; ``null`` is a conversion loss."""
    if value is None:
        raise ConversionError("null in data (NaN/Infinity lost in the JSON conversion)")
    if isinstance(value, bool):
        raise ConversionError(f"boolean {value!r} in data")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value[:-1] if value.endswith("n") else value
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        raise ConversionError(f"unparseable data item {value!r}")
    raise ConversionError(f"unexpected data item {value!r}")


def to_half_bits(values: np.ndarray) -> np.ndarray:
    """WPT utils.js ``toHalf``: float64 -> Float32Array -> float16 bits (uint16), with its
    own rounding (round half up on the first dropped bit, tiny values flushed to zero)."""
    x = np.asarray(values, np.float64).astype(np.float32).view(np.int32).astype(np.int64)
    bits = (x >> 16) & 0x8000
    m = (x >> 12) & 0x07FF
    e = (x >> 23) & 0xFF
    out = bits.copy()
    inf_or_nan = e > 142
    out = np.where(inf_or_nan, bits | 0x7C00 | ((e == 255) & ((x & 0x007FFFFF) != 0)), out)
    sub = (e >= 103) & (e < 113)
    m_sub = m | 0x0800
    shift1 = np.clip(114 - e, 0, 31)
    shift2 = np.clip(113 - e, 0, 31)
    out = np.where(sub, bits | ((m_sub >> shift1) + ((m_sub >> shift2) & 1)), out)
    normal = (e >= 113) & (e <= 142)
    out = np.where(normal, (bits | ((e - 112) << 10) | (m >> 1)) + (m & 1), out)
    return out.astype(np.uint16)


def _flat_numbers(data: Any, size: int) -> list[float | int]:
    if isinstance(data, list):
        flat = [_to_number(v) for v in data]
        if len(flat) != size:
            raise ConversionError(f"{len(flat)} data items for a shape of {size} elements")
        return flat
    return [_to_number(data)] * size  # scalar fill (WPT getTypedArrayData)


def decode_array(data: Any, data_type: str, shape: list[int]) -> np.ndarray:
    """An input or constant's data as the typed array WPT builds (getTypedArrayData)."""
    size = math.prod(shape)
    flat = _flat_numbers(data, size)
    if data_type == "float16":
        return to_half_bits(np.array(flat, np.float64)).view(np.float16).reshape(shape)
    if data_type == "float32":
        return np.array(flat, np.float64).astype(np.float32).reshape(shape)
    if data_type in ("int64", "uint64"):
        if any(isinstance(v, float) and not v.is_integer() for v in flat):
            raise ConversionError("BigInt() of a non-integer number")
        ints = [int(v) for v in flat]
        info = np.iinfo(_DTYPES[data_type])
        # BigInt64Array / BigUint64Array store BigInts modulo 2**64.
        ints = [((v - info.min) % 2**64) + info.min for v in ints]
        return np.array(ints, _DTYPES[data_type]).reshape(shape)
    if data_type in _INT_BITS:
        # Int32Array([...]) etc.: ToNumber, truncate, wrap modulo 2**bits (NaN -> 0).
        bits = _INT_BITS[data_type]
        info = np.iinfo(_DTYPES[data_type])
        ints = [0 if isinstance(v, float) and not math.isfinite(v) else int(v) for v in flat]
        ints = [((v - info.min) % 2**bits) + info.min for v in ints]
        return np.array(ints, _DTYPES[data_type]).reshape(shape)
    raise ConversionError(f"unknown data type {data_type!r}")


@dataclass(frozen=True)
class Expected:
    """One expected output: values as WPT compares them, and how many elements it checks."""

    data_type: str
    shape: tuple[int, ...]
    #: float64 values for float outputs (rounded per metric by the comparer), Python ints
    #: (object array) for integer outputs; already cut to ``count`` elements.
    values: np.ndarray
    #: number of leading elements WPT validates (all, or 1000 for a scalar fill)
    count: int


def decode_expected(spec: Mapping[str, Any]) -> Expected:
    """An ``expectedOutputs`` entry (WPT assertResultsEquals: scalar data with a larger
    shape is checked on the first MAX_INDEX_TO_VALIDATE elements only)."""
    desc = spec["descriptor"]
    data_type, shape = desc["dataType"], list(desc["shape"])
    size = math.prod(shape)
    data = spec["data"]
    if not isinstance(data, list) and size > 1:
        count = min(MAX_INDEX_TO_VALIDATE, size)
        flat = [_to_number(data)] * count
    else:
        flat = _flat_numbers(data, size)
        count = size
    if data_type in ("float32", "float16"):
        values = np.array(flat, np.float64)
    elif data_type in _DTYPES:
        if any(isinstance(v, float) and not v.is_integer() for v in flat):
            raise ConversionError("non-integer expectation for an integer output")
        values = np.array([int(v) for v in flat], dtype=object)
    else:
        raise ConversionError(f"unknown data type {data_type!r}")
    return Expected(data_type, tuple(shape), values, count)


# -- cases -----------------------------------------------------------------------------------
@dataclass
class WptCase:
    """One WPT test case: ``file`` is the JSON stem (``conv_transpose2d``)."""

    file: str
    name: str
    graph: dict[str, Any]
    #: why the case cannot run as converted (a conversion loss), else None
    problem: str | None = None
    index: int = field(default=0)

    @property
    def case_id(self) -> str:
        return f"{self.file}::{self.name}"


def _walk_nulls(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return any(_walk_nulls(v) for v in value)
    if isinstance(value, dict):
        return any(_walk_nulls(v) for v in value.values())
    return False


def _names_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _names_in(item)


def find_problem(graph: Mapping[str, Any]) -> str | None:
    """A reason the case is a conversion loss or self-inconsistent, else None."""
    try:
        inputs, operators = graph["inputs"], graph["operators"]
        expected = graph["expectedOutputs"]
    except (KeyError, TypeError) as exc:
        return f"malformed case: missing {exc}"
    for op in operators:
        for argument in op.get("arguments", []):
            if not isinstance(argument, dict) or len(argument) != 1:
                return f"{op.get('name')}: argument {argument!r} is not a single-key object"
            if _walk_nulls(argument):
                return (f"{op.get('name')}: null argument {argument!r} (NaN/Infinity lost in "
                        f"the JSON conversion)")
    for section, entries in (("input", inputs), ("expected output", expected)):
        for name, spec in entries.items():
            try:
                desc = spec["descriptor"]
                if section == "input":
                    decode_array(spec["data"], desc["dataType"], list(desc["shape"]))
                else:
                    decode_expected(spec)
            except ConversionError as exc:
                return f"{section} {name!r}: {exc}"
            except (KeyError, TypeError, ValueError, OverflowError) as exc:
                return f"{section} {name!r}: cannot decode ({exc})"
    produced: set[str] = set()
    for op in operators:
        outs = op.get("outputs")
        produced.update([outs] if isinstance(outs, str) else list(outs or []))
    missing = [name for name in expected if name not in produced]
    if missing:
        return f"expected outputs {missing} are not produced by any operator"
    return None


def load_cases(folder: Path | None = None) -> list[WptCase]:
    """Every case of every ``*.json`` in ``folder`` (default :func:`wpt_dir`), in file
    order; duplicate names within a file get a `` #2`` suffix so ids stay unique."""
    folder = wpt_dir() if folder is None else folder
    cases: list[WptCase] = []
    for path in sorted(folder.glob("*.json")):
        try:
            tests = json.loads(path.read_text())["tests"]
        except (OSError, ValueError, KeyError) as exc:
            cases.append(WptCase(path.stem, "<file>", {}, f"unreadable file: {exc}"))
            continue
        seen: dict[str, int] = {}
        for index, test in enumerate(tests):
            name = str(test.get("name", f"case {index}"))
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name} #{seen[name]}"
            graph = test.get("graph", {})
            cases.append(WptCase(path.stem, name, graph, find_problem(graph), index))
    return cases


# -- WPT "optional" tests (spec required data types and ranks) -------------------------------
_BINARY = {"add", "sub", "mul", "div", "max", "min", "pow"}


def _parse_ranks(text: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d+)(?: to (\d+))?", text.strip())
    if not match:
        return None
    low = int(match.group(1))
    return low, int(match.group(2) or low)


def load_required_limits(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """The spec's *required* data types and ranks per operator and operand, parsed from
    ``shared/reference/webnn_tensor_limits.md``: ``{section_key: {operand: (types,
    ranks)}}`` where section_key is the lower-cased section title."""
    path = _SHARED / "reference" / "webnn_tensor_limits.md" if path is None else path
    if not path.exists():
        return {}
    sections: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for line in path.read_text().splitlines():
        if line.startswith("### "):
            current = sections.setdefault(line[4:].strip().lower(), {})
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if current is None or len(cells) != 5 or cells[0] in ("operand", "---"):
            continue
        operand = cells[0].strip("*").split("'")[0].strip()
        types = {t.strip() for t in cells[2].split(",")}
        current[option_name(operand)] = (types, _parse_ranks(cells[4]))
    return sections


def required_limits_for(op: str, sections: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The required-limits table of WebNN operator ``op`` (camelCase), or {}."""
    low = op.lower()
    for title, table in sections.items():
        tokens = title.split("-")
        if low in tokens or title == low or (title == "elementwise-binary" and op in _BINARY):
            return table
    return {}
