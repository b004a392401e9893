"""Builder methods, one module per operator family (webnn-spec §api-mlgraphbuilder).

Each module defines a mixin class whose methods validate their arguments as the spec says,
infer the output descriptors and call ``self._emit``. :class:`MLGraphBuilder` inherits
every mixin listed here.
"""

from .activations import ActivationOps
from .conv import ConvolutionOps
from .elementwise import ElementwiseOps
from .gather_scatter import GatherScatterOps
from .matmul import MatmulOps
from .normalization import NormalizationOps
from .pooling import PoolingOps
from .quantization import QuantizationOps
from .recurrent import RecurrentOps
from .reduction import ReductionOps
from .resample import ResampleOps
from .shape import ShapeOps

OperatorMixins = (
    ElementwiseOps,
    ActivationOps,
    ConvolutionOps,
    PoolingOps,
    ResampleOps,
    NormalizationOps,
    ReductionOps,
    MatmulOps,
    ShapeOps,
    GatherScatterOps,
    RecurrentOps,
    QuantizationOps,
)
