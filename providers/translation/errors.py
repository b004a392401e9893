"""What "not supported" means, and what a translator bug becomes.

Two exceptions mean that a node cannot run on WebNN: :class:`Unsupported`, raised by a
translator for what WebNN cannot express, and ``webnn_core.ValidationError``, raised by the
WebNN builder when a call breaks one of the spec's validation steps (WebNN §api, "If ...
then throw a TypeError": the spec's ``TypeError``, its own subclass in ``webnn_core`` so that
it cannot be confused with a Python ``TypeError`` from a bug). Both leave the node with the
host.

Any other exception raised while translating a node is a bug in a translator or in this
package. Hiding it as "unsupported" would turn bugs into silent host fallbacks, so
:func:`guard` decides by the strict switch:

- strict (tests: ``tests/conftest.py`` sets ``WEBNN_STRICT_TRANSLATION=1``): the exception
  propagates and the test fails;
- production (the default): it is logged at WARNING on the ``webnn`` logger with the node and
  the traceback, and becomes an :class:`Unsupported` of kind ``"bug"``, so the node stays
  with the host and the model still runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import webnn_core as webnn

_LOG = logging.getLogger("webnn")

#: environment variable of the strict switch ("1", "true", "yes" or "on" turn it on)
STRICT_ENV = "WEBNN_STRICT_TRANSLATION"

_TRUE = frozenset({"1", "true", "yes", "on"})
_strict_override: bool | None = None


class Unsupported(Exception):  # noqa: N818 - a verdict, not an error
    """The node cannot be translated; ``kind`` classifies the reason for reports ("op",
    "opset", "dtype", "attribute", "dynamic shape", "shape", "quantization", "webnn", and
    "bug" for a translator error in production mode, see :func:`guard`)."""

    def __init__(self, reason: str, kind: str = "attribute") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def is_strict() -> bool:
    """Whether translator bugs propagate (strict) or become logged refusals: the value given
    to :func:`set_strict`, else the ``WEBNN_STRICT_TRANSLATION`` environment variable (read
    on each call: it is only consulted when a translator has failed)."""
    if _strict_override is not None:
        return _strict_override
    return os.environ.get(STRICT_ENV, "").strip().lower() in _TRUE


def set_strict(enabled: bool | None) -> bool | None:
    """Force strict mode on or off (None: follow the environment variable again); returns
    the previous setting."""
    global _strict_override
    previous, _strict_override = _strict_override, enabled
    return previous


@contextmanager
def guard(label: str) -> Iterator[None]:
    """Run the translation of node ``label`` ("Conv 'conv1'", "CONV_2D #3"): a
    ``ValidationError`` becomes :class:`Unsupported` (kind "webnn"); any other exception
    but :class:`Unsupported` is a bug, raised in strict mode, else logged with its
    traceback and turned into :class:`Unsupported` (kind "bug")."""
    try:
        yield
    except Unsupported:
        raise
    except webnn.ValidationError as exc:
        raise Unsupported(f"{label}: WebNN rejects it: {exc}", "webnn") from exc
    except Exception as exc:
        if is_strict():
            raise
        _LOG.warning("webnn: translating %s failed (a bug, the node stays with the host): "
                     "%s: %s", label, type(exc).__name__, exc, exc_info=exc)
        raise Unsupported(f"{label}: translator error {type(exc).__name__}: {exc}",
                          "bug") from exc
