"""Operand data types and descriptors (webnn-spec §api-mloperanddescriptor)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .errors import ValidationError

#: MLOperandDataType -> numpy dtype (spec appendix "MLOperandDataType and ArrayBufferView
#: compatibility").
NUMPY_DTYPES: dict[str, np.dtype] = {
    "float32": np.dtype(np.float32),
    "float16": np.dtype(np.float16),
    "int32": np.dtype(np.int32),
    "uint32": np.dtype(np.uint32),
    "int64": np.dtype(np.int64),
    "uint64": np.dtype(np.uint64),
    "int8": np.dtype(np.int8),
    "uint8": np.dtype(np.uint8),
}
DATA_TYPES: tuple[str, ...] = tuple(NUMPY_DTYPES)
FLOAT_TYPES: tuple[str, ...] = ("float32", "float16")

#: A valid dimension is > 0 and in the range of ``long`` (spec "valid dimension").
MAX_DIMENSION = 2**31 - 1


#: numpy dtype -> MLOperandDataType (the inverse of NUMPY_DTYPES), for data_type_of
_DATA_TYPE_NAMES: dict[np.dtype, str] = {npt: name for name, npt in NUMPY_DTYPES.items()}


def data_type_of(dtype: np.dtype | type) -> str:
    """The MLOperandDataType name of a numpy dtype; TypeError if it has none."""
    dtype = np.dtype(dtype)
    name = _DATA_TYPE_NAMES.get(dtype)
    if name is not None:
        return name
    for name, npt in NUMPY_DTYPES.items():
        if npt == dtype:
            return name
    raise ValidationError(f"numpy dtype {dtype} has no MLOperandDataType equivalent")


def check_data_type(value: object, what: str = "dataType") -> str:
    if not isinstance(value, str) or value not in NUMPY_DTYPES:
        raise ValidationError(f"{what}: {value!r} is not an MLOperandDataType {list(DATA_TYPES)}")
    return value


@dataclass(frozen=True, init=False)
class MLOperandDescriptor:
    """``MLOperandDescriptor(data_type, shape)``: data type and dimensions of an operand.

    The constructor checks that ``data_type`` is an MLOperandDataType and that ``shape``
    is a sequence of integers in the unsigned long range ([EnforceRange]); whether each
    dimension is a *valid dimension* (> 0) is checked where the spec checks it
    (``input``, ``constant``, ``create_tensor``).
    """

    data_type: str
    shape: tuple[int, ...]

    def __init__(self, data_type: str, shape: Iterable[int]) -> None:
        check_data_type(data_type, "MLOperandDescriptor.dataType")
        object.__setattr__(self, "data_type", data_type)
        object.__setattr__(self, "shape", to_uint_list(shape, "MLOperandDescriptor.shape"))

    @classmethod
    def coerce(cls, value: object) -> MLOperandDescriptor:
        """Accept a descriptor, or a mapping with data_type/dataType and shape."""
        if isinstance(value, MLOperandDescriptor):
            return value
        if isinstance(value, Mapping):
            dt = value.get("data_type", value.get("dataType"))
            if "shape" not in value:
                raise ValidationError("MLOperandDescriptor: 'shape' is required")
            return cls(dt, value["shape"])
        raise ValidationError(f"expected an MLOperandDescriptor, got {type(value).__name__}")

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def element_count(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def byte_length(self) -> int:
        return self.element_count * NUMPY_DTYPES[self.data_type].itemsize

    @property
    def numpy_dtype(self) -> np.dtype:
        return NUMPY_DTYPES[self.data_type]

    def check_dimensions(self) -> bool:
        """The spec's "check dimensions": every dimension and the element count valid
        (one loop: the builder checks every operand it makes)."""
        count = 1
        for d in self.shape:
            if not 0 < d <= MAX_DIMENSION:
                return False
            count *= d
        return count <= MAX_DIMENSION


def to_uint_list(values: object, what: str, bits: int = 32) -> tuple[int, ...]:
    """A WebIDL ``sequence<[EnforceRange] unsigned long>``: TypeError when not one."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValidationError(f"{what}: expected a sequence of integers, got "
                              f"{type(values).__name__}")
    out = []
    for v in values:
        out.append(to_uint(v, what, bits))
    return tuple(out)


def to_uint(value: object, what: str, bits: int = 32) -> int:
    """A WebIDL ``[EnforceRange] unsigned long``."""
    if type(value) is int and 0 <= value < 2**bits:
        return value  # the common case (every shape a builder infers), checked first
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValidationError(f"{what}: {value!r} is not an integer")
    value = int(value)
    if not 0 <= value < 2**bits:
        raise ValidationError(f"{what}: {value} is out of range for unsigned {bits}-bit")
    return value


def to_int(value: object, what: str, bits: int = 32) -> int:
    """A WebIDL ``[EnforceRange] long``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValidationError(f"{what}: {value!r} is not an integer")
    value = int(value)
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise ValidationError(f"{what}: {value} is out of range for signed {bits}-bit")
    return value


def to_float(value: object, what: str, finite: bool = True) -> float:
    """A WebIDL ``float`` (finite) or ``unrestricted float``/``double``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValidationError(f"{what}: {value!r} is not a number")
    value = float(value)
    if finite and not np.isfinite(value):
        raise ValidationError(f"{what}: {value} is not a finite number")
    return value


def to_bool(value: object, what: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValidationError(f"{what}: {value!r} is not a boolean")
    return bool(value)


def to_enum(value: object, what: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValidationError(f"{what}: {value!r} is not one of {list(allowed)}")
    return str(value)


def cast_number(value: float | int, data_type: str) -> float | int:
    """The spec's "cast" of an abstract number to ``data_type`` (§algorithms-casting).

    Floats follow ConvertToFloat (round to nearest even, beyond the largest finite
    value to ±Infinity, NaN kept); integers follow ConvertToInt (NaN -> 0, clamp to the
    type's range, round half to even). Python ints are handled exactly (MLNumber may be
    a bigint). The spec text casts "uint32" with signedness "signed", an evident typo
    (the MLNumber section says uint32 options are cast to ``unsigned long``): uint32
    is cast as unsigned here.
    """
    dtype = NUMPY_DTYPES[data_type]
    if dtype.kind == "f":
        return _convert_to_float(value, dtype)
    info = np.iinfo(dtype)
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        if value <= info.min:
            return int(info.min)
        if value >= info.max:
            return int(info.max)
        return int(round(value))  # Python's round() is round-half-to-even
    return min(max(int(value), int(info.min)), int(info.max))


def _convert_to_float(value: float | int, dtype: np.dtype) -> float:
    """ConvertToFloat(x, 32 | 16): nearest representable value, overflow to ±Infinity."""
    if isinstance(value, int):
        try:
            value = float(value)
        except OverflowError:
            value = math.inf if value > 0 else -math.inf
    with np.errstate(over="ignore"):
        return float(dtype.type(value))
