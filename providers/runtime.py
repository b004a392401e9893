"""The provider runtime shared by the ONNX Runtime EP, the TFLite delegate and the OpenCV
backend.

The three hosts differ in how they call us (ctypes callbacks, a Python layer) but need the
same four things, kept here once so that they cannot drift apart:

- the options table (:data:`OPTION_TABLE`): the names a user may pass, their defaults, how
  strings (ONNX Runtime passes every option as one) and Python values are read, and one
  error (:class:`ProviderOptionError`) worded the same for every host;
- :func:`create_context`: the ``MLContext`` for those options. Which values are valid is the
  backend's business (``webnn_core.ml.create_context`` asks the backend registered under the
  ``backend`` name), so nothing backend-specific is checked here;
- :class:`VariantCache`: the WebNN graphs compiled for the input shapes a partition has
  seen (bounded LRU, :data:`MAX_SHAPES` for every host, thread-safe);
- :class:`ViewCache`: numpy views of host buffers, reused while the host hands the same
  address, so that the backend also keeps the buffer bound between calls.

Graphs run through ``MLGraph.dispatch_arrays`` (the core's public fast path), never through
``MLGraph`` internals.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

import webnn_core as webnn

__all__ = ["MAX_SHAPES", "OPTIONS", "OPTION_TABLE", "Option", "ProviderOptionError",
           "UnknownOptionError", "VariantCache", "ViewCache", "create_context",
           "parse_options", "wrap"]

#: WebNN graphs kept per partition whose input shapes vary (one per distinct set of input
#: shapes), for every host: 8 covers the usual handful of batch sizes and resolutions (a
#: ninth evicts the least recently used; each entry is a compiled graph, so the bound
#: matters more than the hit rate)
MAX_SHAPES = 8


@dataclass(frozen=True)
class Option:
    """One provider option: its name, its default (None: the backend chooses) and what it
    means (for documentation and error messages)."""

    name: str
    default: str | None
    doc: str


#: the options every host takes (ORT provider options, WebNNDelegate keywords, readNet
#: keywords); the defaults are the core's, listed so that hosts and docs can show them
OPTION_TABLE: tuple[Option, ...] = (
    Option("backend", "openvino", "the WebNN backend, by its registered name"),
    Option("device", None, "the backend's device (its own default when unset)"),
    Option("power_preference", "default", "'default', 'high-performance' or 'low-power'"),
    Option("precision", "float32", "what float32 graphs compute in: 'float32', a reduced "
           "precision the device has, or 'fast' (the backend's fastest for the device; "
           "the partition report says which and why)"),
    Option("cache_dir", None, "where the backend caches compiled graphs"),
)
#: the option names, in table order
OPTIONS: tuple[str, ...] = tuple(option.name for option in OPTION_TABLE)


class ProviderOptionError(ValueError):
    """An unknown provider option or a bad option value (ONNX Runtime reports it as
    ORT_INVALID_ARGUMENT; the other hosts raise it from their constructors)."""


class UnknownOptionError(ProviderOptionError, TypeError):
    """An option name no host knows: also a ``TypeError``, as Python raises for an unknown
    keyword argument (``readNet(..., colour=...)``)."""


def _shown(options: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in options.items())


def _value(name: str, value: Any) -> str | None:
    """One option value as the core takes it: None for unset (None or "": ORT cannot pass
    None), a path for ``cache_dir``, otherwise the string itself."""
    if value is None or value == "":
        return None
    if name == "cache_dir" and isinstance(value, os.PathLike):
        return os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    return value


def parse_options(options: Mapping[str, Any], host: str) -> dict[str, str]:
    """The options that are set, by name, from strings or Python values; unknown names raise
    :class:`UnknownOptionError` and values of the wrong type :class:`ProviderOptionError`,
    both prefixed with ``host`` (the name users know the provider by)."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise UnknownOptionError(f"{host}: unknown option(s) {', '.join(unknown)}; known "
                                 f"options: {', '.join(OPTIONS)}")
    parsed = {}
    for name, value in options.items():
        try:
            text = _value(name, value)
        except TypeError as exc:
            raise ProviderOptionError(f"{host}: invalid options ({_shown(options)}): "
                                      f"{exc}") from exc
        if text is not None:
            parsed[name] = text
    return parsed


def create_context(options: Mapping[str, Any], host: str) -> webnn.MLContext:
    """The ``MLContext`` for provider ``options``. The backend named by ``backend`` checks
    the other values; whatever it refuses is re-raised as :class:`ProviderOptionError`."""
    parsed = parse_options(options, host)
    try:
        return webnn.ml.create_context(**parsed)
    except (TypeError, ValueError, webnn.WebNNError) as exc:
        raise ProviderOptionError(f"{host}: invalid options ({_shown(options)}): "
                                  f"{exc}") from exc


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class VariantCache(Generic[K, V]):
    """What a partition compiled per key (its input shapes): a bounded LRU.

    :meth:`get` builds a missing entry under the cache's lock, so two threads running the
    same new shape compile it once; the least recently used entry beyond ``max_size`` is
    dropped (its compiled graph goes with it)."""

    __slots__ = ("_entries", "_lock", "max_size")

    def __init__(self, max_size: int = MAX_SHAPES) -> None:
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.max_size = max_size

    def get(self, key: K, build: Callable[[K], V]) -> V:
        """The entry for ``key``, built by ``build(key)`` on a miss."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            found = build(key)
            self._put(key, found)
            return found

    def put(self, key: K, value: V) -> V:
        """Add an entry built elsewhere (e.g. the first variant, built with the kernel)."""
        with self._lock:
            self._put(key, value)
        return value

    def _put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def values(self) -> list[V]:
        """The entries, least recently used first."""
        with self._lock:
            return list(self._entries.values())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries


class _Memory:
    """A bare holder for ``__array_interface__`` (``np.asarray`` wraps it without a copy)."""

    __slots__ = ("__array_interface__",)


def wrap(address: int | None, shape: tuple[int, ...], dtype: np.dtype,
         readonly: bool = False) -> np.ndarray:
    """A numpy array over host memory at ``address`` (C order), without copying."""
    memory = _Memory()
    memory.__array_interface__ = {
        "data": (address or 0, readonly), "shape": shape, "typestr": dtype.str, "version": 3,
    }
    return np.asarray(memory)


class ViewCache:
    """Numpy views of host buffers, per slot (a partition input or output), reused while the
    host hands the same address with the same shape.

    Reusing the view is what makes the handover free twice over: no new array per call, and
    the backend sees the same array and keeps it bound (OpenVINO skips rebinding). Hot paths
    may test :attr:`entries` inline (``entries.get(key)`` is ``(address, view)``) and call
    :meth:`view` only on a miss; entries are replaced whole, so readers on other threads
    never see a half-updated one."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: dict[Hashable, tuple[int, np.ndarray]] = {}

    def view(self, key: Hashable, address: int | None, shape: tuple[int, ...],
             dtype: np.dtype, capacity: int | None = None) -> np.ndarray:
        """The view of ``shape`` and ``dtype`` at ``address`` for slot ``key`` (a string
        naming the slot in errors); ``capacity``: the buffer's size in bytes, checked when
        a new view is made."""
        cached = self.entries.get(key)
        if cached is not None and cached[0] == address and cached[1].shape == shape:
            return cached[1]
        if not address:
            raise RuntimeError(f"{key} has no buffer")
        if capacity is not None:
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if capacity < nbytes:
                raise RuntimeError(f"{key} has {capacity} bytes, WebNN needs {nbytes}")
        array = wrap(address, shape, dtype)
        self.entries[key] = (address, array)
        return array

    def clear(self) -> None:
        self.entries.clear()
