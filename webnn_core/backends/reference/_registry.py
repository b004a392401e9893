"""The reference backend's op registry (separate module so kernels can import it)."""

from ..base import Registry

registry = Registry("reference")
