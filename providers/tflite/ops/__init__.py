"""TFLite builtin op translators, one module per op family.

Nothing is listed here: the translator registry imports every module of this package on its
first lookup (``webnn_providers.translation.Registry``).
"""
