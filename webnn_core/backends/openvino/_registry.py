"""The OpenVINO backend's op registry (separate module so emitters can import it)."""

from ..base import Registry

registry = Registry("openvino")


class NeedsReference(Exception):  # noqa: N818 - a signal, not an error
    """Raised by an emitter when OpenVINO cannot compute a node exactly (e.g. a 64-bit
    option value its CPU plugin would narrow): the graph then runs on the reference."""
