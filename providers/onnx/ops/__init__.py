"""ONNX op translators, one module per op family (ai.onnx and the removed experimental ops
ONNX Runtime still runs in the default domain); ``com_microsoft`` holds ONNX Runtime's
contrib ops of the ``com.microsoft`` domain, split by the same families.

Nothing is listed here: the translator registry imports every module of this package and
its subpackages on its first lookup (``webnn_providers.translation.Registry``).
"""
