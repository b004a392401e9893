"""Backends by name: the seam between MLContext and a device.

The spec leaves the choice of device to the implementation (webnn-spec §api-ml-createcontext:
MLContextOptions only hint at it), so this implementation takes a ``backend`` name in
``create_context`` and looks the class up here, in this order:

1. the built-ins, "openvino", "reference" and "xla", imported by module path only when first used
   (``import webnn_core`` never imports OpenVINO or jax, so the reference backend runs
   without them);
2. classes registered at run time with :func:`register_backend`;
3. the Python entry-point group ``webnn_core.backends`` (read once, on the first name found
   in neither), so another installed package can add a backend without touching this one.

>>> from webnn_core.backends import register_backend
>>> register_backend("mydevice", MyBackend)   # a Backend subclass
>>> ctx = webnn_core.ml.create_context(backend="mydevice")
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
import threading
from importlib import metadata

from ..errors import NotSupportedError, ValidationError
from .base import Backend, CompiledGraph, HostTensorStorage, TensorStorage

__all__ = [
    "ENTRY_POINT_GROUP",
    "Backend",
    "CompiledGraph",
    "HostTensorStorage",
    "TensorStorage",
    "UnknownBackendError",
    "backend_names",
    "clear_caches",
    "get_backend",
    "register_backend",
]

#: the entry-point group other packages declare backends in (``name = "module:Class"``)
ENTRY_POINT_GROUP = "webnn_core.backends"

_LOG = logging.getLogger("webnn")
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
#: built-in name -> (module, class, the package its module needs)
_BUILTIN: dict[str, tuple[str, str, str | None]] = {
    "openvino": ("webnn_core.backends.openvino", "OpenVINOBackend", "openvino"),
    "reference": ("webnn_core.backends.reference", "ReferenceBackend", None),
    "xla": ("webnn_core.backends.xla", "XLABackend", "jax"),
}
_lock = threading.RLock()
#: run-time registrations (register_backend)
_registered: dict[str, type[Backend]] = {}
#: built-ins and entry points loaded so far
_loaded: dict[str, type[Backend]] = {}
#: the group's entry points by name, read on the first miss (None: not read yet)
_entry_points: dict[str, metadata.EntryPoint] | None = None


class UnknownBackendError(NotSupportedError, ValidationError):
    """No backend has this name. A NotSupportedError (no such device here) and, since an
    unknown ``backend`` is an invalid create_context option, the spec's TypeError too."""


def register_backend(name: str, cls: type[Backend]) -> None:
    """Make ``cls`` the backend called ``name`` (lower-case letters, digits, ``_.-``).

    Registering the class a name already has is a no-op; another class under a taken name
    (a built-in, a registered one or a loaded entry point) raises ValueError. A run-time
    registration takes precedence over an entry point of the same name not loaded yet.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"register_backend: {name!r} is not a valid backend name "
                         "(lower-case letters, digits, '_', '.', '-')")
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise TypeError(f"register_backend: {cls!r} is not a Backend subclass")
    with _lock:
        if name in _BUILTIN:
            if _path_of(cls) != _builtin_path(name):
                raise ValueError(f"register_backend: {name!r} is the built-in "
                                 f"{_builtin_path(name)}")
            return
        taken = _registered.get(name) or _loaded.get(name)
        if taken is not None and taken is not cls:
            raise ValueError(f"register_backend: the name {name!r} is taken by "
                             f"{_path_of(taken)}")
        _registered[name] = cls


def get_backend(name: str) -> type[Backend]:
    """The backend class called ``name`` (see the module doc for the lookup order).

    Raises :class:`UnknownBackendError` for a name no backend has, and NotSupportedError
    when the backend's package cannot be imported (e.g. "openvino" without OpenVINO).
    """
    if not isinstance(name, str):
        raise ValidationError(f"backend: expected a string, got {type(name).__name__}")
    cls = _loaded.get(name) or _registered.get(name)
    if cls is not None:
        return cls
    with _lock:
        if name in _BUILTIN:
            cls = _load_builtin(name)
        elif name in _registered:
            return _registered[name]
        else:
            cls = _load_entry_point(name)
        _loaded[name] = cls
        return cls


def backend_names() -> list[str]:
    """Every backend name known: built-ins, run-time registrations and entry points (this
    reads the entry points if not read yet)."""
    with _lock:
        return sorted(set(_BUILTIN) | set(_registered) | set(_discover()))


def clear_caches() -> None:
    """Call :meth:`Backend.clear_cache` on every backend class loaded so far (the built-ins
    also when imported directly), e.g. so that a benchmark's first build includes its
    compile. Backends never loaded have nothing cached."""
    with _lock:
        classes = list(_loaded.values()) + list(_registered.values())
    for module, attr, _ in _BUILTIN.values():
        loaded = sys.modules.get(module)
        if loaded is not None and hasattr(loaded, attr):
            classes.append(getattr(loaded, attr))
    for cls in dict.fromkeys(classes):  # each class once, in order
        cls.clear_cache()


# -- lookup ---------------------------------------------------------------------------------
def _load_builtin(name: str) -> type[Backend]:
    module_name, attr, needs = _BUILTIN[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = isinstance(exc, ModuleNotFoundError) and needs is not None and (
            exc.name == needs or (exc.name or "").startswith(needs + "."))
        reason = f"the {needs!r} package is not installed" if missing else str(exc)
        raise NotSupportedError(f"create_context: the {name} backend is not available: "
                                f"{reason}") from exc
    return getattr(module, attr)


def _load_entry_point(name: str) -> type[Backend]:
    entry = _discover().get(name)
    if entry is None:
        known = sorted(set(_BUILTIN) | set(_registered) | set(_discover()))
        raise UnknownBackendError(f"backend: no backend is called {name!r} (known: {known})")
    try:
        cls = entry.load()
    except Exception as exc:  # noqa: BLE001 - any failure of a third-party import
        raise NotSupportedError(f"create_context: the {name} backend ({entry.value}) failed "
                                f"to load: {type(exc).__name__}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise NotSupportedError(f"create_context: entry point {name} = {entry.value} is not "
                                "a webnn_core Backend subclass")
    return cls


def _discover() -> dict[str, metadata.EntryPoint]:
    """The group's entry points by name, read once (the first declaration of a name wins;
    a built-in or registered name is never looked up here)."""
    global _entry_points
    if _entry_points is None:
        found: dict[str, metadata.EntryPoint] = {}
        for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if entry.name in found and found[entry.name].value != entry.value:
                _LOG.warning("webnn: backend entry point %s = %s ignored: %s declared it "
                             "first", entry.name, entry.value, found[entry.name].value)
                continue
            found.setdefault(entry.name, entry)
        _entry_points = found
    return _entry_points


def _builtin_path(name: str) -> str:
    module, attr, _ = _BUILTIN[name]
    return f"{module}:{attr}"


def _path_of(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"
