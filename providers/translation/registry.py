"""The translator registry shared by the ONNX and TFLite translators.

A translator is registered for an op key, ``(domain, name)``: ONNX keys by the node's domain
("" for ai.onnx, "com.microsoft", ...) and op type; TFLite by "" and the builtin op name. Each
entry covers a range of op versions, ``since <= version <= until``: the node's schema
since-version for ONNX (ONNX IR "Operator Sets": a node resolves to the newest schema
version not above the imported opset), the builtin op's version for TFLite (schema.fbs
``OperatorCode.version``).

One duplicate policy: registering an entry whose version range overlaps an existing entry
of the same key raises :class:`DuplicateTranslator` when the module registering it is
imported, so a lookup can never depend on import order.

One discovery: the first lookup imports every module of the registry's ops packages
(subpackages included, ``pkgutil.walk_packages``); a new translator module needs no list to
be edited.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import Unsupported

Emitter = Callable[[Any], Sequence[Any]]


class DuplicateTranslator(RuntimeError):
    """Two translators claim the same op key at overlapping versions."""


@dataclass(frozen=True)
class OpEntry:
    """A translator ``emit`` for one op key at versions ``since..until`` (None: open);
    ``params`` is host data the translator needs decoded (TFLite: the ``builtin_data``
    ctypes struct)."""

    emit: Emitter
    domain: str = ""
    since: int = 1
    until: int | None = None
    params: Any = None

    def covers(self, version: int) -> bool:
        return self.since <= version and (self.until is None or version <= self.until)

    def overlaps(self, other: OpEntry) -> bool:
        low = max(self.since, other.since)
        highs = [u for u in (self.until, other.until) if u is not None]
        return not highs or low <= min(highs)


class Registry:
    """Op key -> translator entries, filled by importing the ``packages`` (lazily)."""

    def __init__(self, packages: Sequence[str]) -> None:
        self.packages = tuple(packages)
        #: (domain, name) -> entries (public for tests that patch a translator in)
        self.table: dict[Hashable, list[OpEntry]] = {}
        self._loaded = False
        self._lock = threading.RLock()

    def register(self, name: str, entry: OpEntry) -> None:
        """Add ``entry`` for op ``name`` of ``entry.domain`` (see the duplicate policy)."""
        entries = self.table.setdefault((entry.domain, name), [])
        for other in entries:
            if other.overlaps(entry):
                label = f"{entry.domain}:{name}" if entry.domain else name
                raise DuplicateTranslator(
                    f"two translators for {label} at overlapping versions: "
                    f"{other.emit.__qualname__} ({other.since}..{other.until}) and "
                    f"{entry.emit.__qualname__} ({entry.since}..{entry.until})")
        entries.append(entry)

    def translator(self, *names: str, domain: str = "", since: int = 1,
                   until: int | None = None, params: Any = None
                   ) -> Callable[[Emitter], Emitter]:
        """Decorator: register ``emit`` for op ``names`` of ``domain`` at versions
        ``since..until``."""
        def decorate(emit: Emitter) -> Emitter:
            for name in names:
                self.register(name, OpEntry(emit, domain, since, until, params))
            return emit
        return decorate

    def load(self) -> None:
        """Import every module of the ops packages once (registering their translators)."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            for package in self.packages:
                module = importlib.import_module(package)
                for info in pkgutil.walk_packages(module.__path__, f"{package}."):
                    importlib.import_module(info.name)
            self._loaded = True

    def entries(self, domain: str, name: str) -> list[OpEntry]:
        self.load()
        return self.table.get((domain, name), [])

    def find(self, domain: str, name: str, version: int) -> OpEntry:
        """The entry for op ``name`` of ``domain`` at ``version``; :class:`Unsupported`
        ("op" when nothing is registered for the op, "opset" when no range covers the
        version)."""
        entries = self.entries(domain, name)
        if not entries:
            raise Unsupported(f"unsupported op {name}" +
                              (f" (domain {domain})" if domain else ""), "op")
        for entry in entries:
            if entry.covers(version):
                return entry
        raise Unsupported(f"unsupported opset: {name}-{version}", "opset")

    def names(self) -> list[str]:
        """Every registered op, "domain:name" outside the default domain, sorted."""
        self.load()
        return sorted(f"{d}:{n}" if d else n for d, n in self.table)
