"""The OpenVINO backend's op registry (separate module so emitters can import it)."""

from ..base import Registry

registry = Registry("openvino")
