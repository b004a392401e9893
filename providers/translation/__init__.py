"""The translator spine shared by the ONNX and TFLite translators (``webnn_providers.onnx``,
``webnn_providers.tflite``).

- :class:`Unsupported` and the strict switch (:mod:`.errors`): only ``Unsupported`` and
  ``webnn_core.ValidationError`` mean "not supported"; any other exception inside a
  translator is a bug, raised in strict mode (``WEBNN_STRICT_TRANSLATION=1``,
  :func:`set_strict`), logged and refused otherwise (:func:`guard`);
- :class:`Registry` (:mod:`.registry`): op key -> translators with version ranges, one
  duplicate policy, one discovery;
- :class:`Verdict`, :class:`TranslatedGraph`, :func:`judge`, :func:`finish_graph`
  (:mod:`.graph`);
- :func:`new_constant`, :func:`constant_operand`, :func:`descriptor` (:mod:`.operands`);
- :class:`ConstantFolder` and :func:`evaluate_on_reference` (:mod:`.folding`);
- :class:`TranslatorView`, the host-independent part of a translator's view (:mod:`.view`).
"""

from .errors import STRICT_ENV, Unsupported, guard, is_strict, set_strict
from .folding import (
    ConstantFolder,
    Folded,
    FoldHost,
    evaluate_on_reference,
    reference_context,
)
from .graph import TranslatedGraph, Verdict, finish_graph, judge
from .operands import constant_operand, descriptor, new_constant
from .registry import DuplicateTranslator, OpEntry, Registry
from .view import TranslatorView

__all__ = [
    "STRICT_ENV",
    "ConstantFolder",
    "DuplicateTranslator",
    "FoldHost",
    "Folded",
    "OpEntry",
    "Registry",
    "TranslatedGraph",
    "TranslatorView",
    "Unsupported",
    "Verdict",
    "constant_operand",
    "descriptor",
    "evaluate_on_reference",
    "finish_graph",
    "guard",
    "is_strict",
    "judge",
    "new_constant",
    "reference_context",
    "set_strict",
]
