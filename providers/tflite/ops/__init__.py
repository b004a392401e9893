"""TFLite builtin op translators, one module per op family (imported for registration)."""

from . import (
    activations,  # noqa: F401
    cast,  # noqa: F401
    conv,  # noqa: F401
    dense,  # noqa: F401
    elementwise,  # noqa: F401
    pooling,  # noqa: F401
    reduction,  # noqa: F401
    resize,  # noqa: F401
    shape,  # noqa: F401
    space_batch,  # noqa: F401
    unary,  # noqa: F401
)
