"""Process state of the EP and the error boundary every ORT callback goes through.

Shared by the factory glue (:mod:`._factory`) and the kernel (:mod:`._kernel`): ORT holds
raw addresses of our structs, so the Python objects behind them live in :class:`_State`
until ORT releases them. An exception escaping a ctypes callback would read as success, so
every callback returns what :func:`error_status` makes of it (``ORT_INVALID_ARGUMENT`` for a
bad provider option, ``ORT_FAIL`` otherwise).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import threading
import traceback
from collections.abc import Callable
from ctypes import addressof
from typing import TYPE_CHECKING, Any

from ..runtime import ProviderOptionError
from . import _abi
from ._abi import OrtApi

if TYPE_CHECKING:
    from ._factory import WebNNEp, _Factory
    from ._kernel import FusedKernel

_LOG = logging.getLogger("webnn")

EP_NAME = "WebNNExecutionProvider"
VENDOR = "webnn-providers"
VERSION = "0.1.0"


class _State:
    """The ORT API table and the live objects ORT knows by address."""

    api: OrtApi | None = None
    factories: dict[int, _Factory] = {}
    eps: dict[int, WebNNEp] = {}
    kernels: dict[int, FusedKernel] = {}
    lock = threading.Lock()


_STRINGS: dict[str, ctypes.Array] = {}


def cstr(text: str) -> int:
    """Address of a NUL-terminated copy of ``text`` kept alive for the process (ORT keeps
    the pointers that name getters return)."""
    buffer = _STRINGS.get(text)
    if buffer is None:
        buffer = _STRINGS[text] = ctypes.create_string_buffer(text.encode())
    return addressof(buffer)


def error_status(exc: BaseException, where: str) -> int:
    """An OrtStatus* for ``exc`` (0 when no status can be made: ORT then sees success, so
    this is only reached when the API table is missing)."""
    api = _State.api
    if isinstance(exc, ProviderOptionError):
        code, message = _abi.ORT_INVALID_ARGUMENT, str(exc)
    else:
        code = _abi.ORT_FAIL
        message = f"{EP_NAME}: {where} failed: {type(exc).__name__}: {exc}"
    _LOG.debug("%s\n%s", message, "".join(traceback.format_exception(exc)))
    if api is None:
        return 0
    try:
        return api.status(code, message)
    except BaseException:  # noqa: BLE001 - nothing else can be reported
        return 0


def status_callback(fn: Callable[..., None]) -> Callable[..., int | None]:
    """Wrap a callback returning OrtStatus*: None on success, an error status otherwise."""
    @functools.wraps(fn)
    def callback(*args: Any) -> int | None:
        try:
            fn(*args)
            return None
        except BaseException as exc:  # noqa: BLE001 - must never escape into ORT
            return error_status(exc, fn.__name__.strip("_"))
    return callback


def plain_callback(default: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a callback without a status: log errors and return ``default``."""
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def callback(*args: Any) -> Any:
            try:
                return fn(*args)
            except BaseException:  # noqa: BLE001 - must never escape into ORT
                _LOG.error("%s: %s failed\n%s", EP_NAME, fn.__name__, traceback.format_exc())
                return default
        return callback
    return decorate
