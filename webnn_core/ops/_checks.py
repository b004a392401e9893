"""Validation helpers shared by the builder methods (webnn-spec §algorithms).

Every failure raises ``TypeError`` whose message starts with the operator name and states
the rule, e.g. ``conv2d: input must be of rank 4, got rank 3``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..errors import ValidationError
from ..spec_tables import TENSOR_LIMITS
from ..types import MLOperandDescriptor


def fail(op: str, rule: str) -> ValidationError:
    return ValidationError(f"{op}: {rule}")


def check_tensor_limits(op: str, operands: Mapping[str, object]) -> None:
    """Check data types and ranks of the named operands (MLOperand, descriptor, a list of
    them, or None when absent) against the spec's allowed data types and ranks."""
    table = TENSOR_LIMITS[op]
    descs: dict[str, list[MLOperandDescriptor]] = {}
    for key, value in operands.items():
        if value is None:
            continue
        items = value if isinstance(value, (list, tuple)) else [value]
        descs[key] = [getattr(v, "descriptor", v) for v in items]
    for key, items in descs.items():
        if key not in table:
            continue
        types, ranks = table[key]
        for desc in items:
            if isinstance(types[0], str) and types[0] == "same":
                ref = descs.get(types[1])
                if ref and desc.data_type != ref[0].data_type:
                    raise fail(op, f"{key} data type {desc.data_type} must match "
                                   f"{types[1]} data type {ref[0].data_type}")
            elif desc.data_type not in types:
                raise fail(op, f"{key} data type {desc.data_type} is not allowed "
                               f"(allowed: {', '.join(types)})")
            if key.startswith("output"):
                # output ranks follow from the algorithm's shape inference; the tables'
                # output rank column is descriptive (gather of 0-D indices on a 1-D input
                # is a valid scalar although its table says "1 to N")
                continue
            if ranks[0] == "same":
                ref = descs.get(ranks[1])
                if ref and desc.rank != ref[0].rank:
                    raise fail(op, f"{key} rank {desc.rank} must equal {ranks[1]} rank "
                                   f"{ref[0].rank}")
            else:
                lo, hi = ranks
                if desc.rank < lo or (hi is not None and desc.rank > hi):
                    want = f"{lo}" if lo == hi else f"{lo} to {hi if hi is not None else 'N'}"
                    raise fail(op, f"{key} must be of rank {want}, got rank {desc.rank}")


def broadcast_shapes(op: str, a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    """Bidirectional broadcasting (spec §algorithms-broadcasting)."""
    ra, rb = len(a), len(b)
    n = max(ra, rb)
    pa = (1,) * (n - ra) + tuple(a)
    pb = (1,) * (n - rb) + tuple(b)
    out = []
    for x, y in zip(pa, pb, strict=True):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise fail(op, f"shapes {list(a)} and {list(b)} are not bidirectionally broadcastable")
    return tuple(out)


def unidirectional_broadcastable(src: Sequence[int], dst: Sequence[int]) -> bool:
    """Unidirectional broadcasting of ``src`` to ``dst`` (spec §algorithms-broadcasting)."""
    if len(src) > len(dst):
        return False
    padded = (1,) * (len(dst) - len(src)) + tuple(src)
    return all(s == d or s == 1 for s, d in zip(padded, dst, strict=True))


def check_axis(op: str, axis: int, rank: int, what: str = "axis") -> int:
    if not 0 <= axis < rank:
        raise fail(op, f"{what} {axis} must be in [0, {rank - 1}] for rank {rank}")
    return axis


def check_axes(op: str, axes: Iterable[int], rank: int, what: str = "axes") -> tuple[int, ...]:
    axes = tuple(axes)
    for axis in axes:
        check_axis(op, axis, rank, what)
    if len(set(axes)) != len(axes):
        raise fail(op, f"{what} {list(axes)} must not contain duplicates")
    return axes


def reduction_shape(shape: Sequence[int], axes: Iterable[int],
                    keep_dimensions: bool) -> tuple[int, ...]:
    """Spec "calculating reduction output sizes"."""
    axes = set(axes)
    if keep_dimensions:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)
