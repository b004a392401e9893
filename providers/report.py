"""Partition reports shared by every provider: which nodes WebNN takes, in which
partitions, and why each other node stays with the host framework."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def precision_note(context: Any) -> str:
    """The report's precision line for an MLContext: empty for plain float32."""
    choice = context.precision
    return "" if choice.requested == "float32" else str(choice)


@dataclass
class NodeReport:
    """One node and whether WebNN takes it (``reason``/``kind`` say why not)."""

    index: int
    name: str
    op_type: str
    domain: str
    supported: bool
    reason: str = ""
    kind: str = ""

    @property
    def label(self) -> str:
        op = f"{self.domain}:{self.op_type}" if self.domain else self.op_type
        return f"{op} {self.name!r}" if self.name else f"{op} #{self.index}"

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "name": self.name, "op_type": self.op_type,
                "domain": self.domain, "supported": self.supported, "reason": self.reason,
                "kind": self.kind}


@dataclass
class PartitionReport:
    """The partitioning of one graph.

    ``nodes``: every node in topological order; ``partitions``: the groups WebNN runs, as
    node indices (each group is one fused node, i.e. one WebNN graph); ``fallback``: the
    nodes left to ONNX Runtime with the reason and its kind ("op", "opset", "dtype",
    "attribute", "dynamic shape", "shape", "webnn").
    """

    nodes: list[NodeReport]
    partitions: list[list[int]] = field(default_factory=list)
    #: who runs the partitions and who runs the rest (for summaries)
    provider: str = "WebNN"
    host: str = "the host"
    #: nodes folded into constants before partitioning (labels; see onnx.folding)
    folded: list[str] = field(default_factory=list)
    #: what float32 partitions compute in, where the context was asked for anything but
    #: float32 (``str(MLContext.precision)``: for "fast", the backend's choice and why)
    precision: str = ""

    @property
    def fallback(self) -> list[NodeReport]:
        return [n for n in self.nodes if not n.supported]

    @property
    def num_supported(self) -> int:
        return sum(n.supported for n in self.nodes)

    def partition_nodes(self) -> list[list[NodeReport]]:
        return [[self.nodes[i] for i in group] for group in self.partitions]

    def as_dict(self) -> dict[str, Any]:
        return {
            "num_nodes": len(self.nodes),
            "num_supported": self.num_supported,
            "partitions": [{"nodes": [n.name or n.label for n in group],
                            "op_types": [n.op_type for n in group],
                            "indices": [n.index for n in group]}
                           for group in self.partition_nodes()],
            "fallback": [n.as_dict() for n in self.fallback],
            "folded": list(self.folded),
            "precision": self.precision,
        }

    def summary(self) -> str:
        lines = [f"{self.provider} takes {self.num_supported} of {len(self.nodes)} "
                 f"nodes in {len(self.partitions)} partition(s)"]
        for k, group in enumerate(self.partition_nodes()):
            ops = ", ".join(n.op_type for n in group[:8]) + (" ..." if len(group) > 8 else "")
            lines.append(f"  partition {k}: {len(group)} node(s): {ops}")
        if self.precision:
            lines.append(f"  precision: {self.precision}")
        if self.folded:
            lines.append(f"  folded into constants before partitioning: {len(self.folded)} "
                         "node(s)")
        fallback = self.fallback
        if fallback:
            lines.append(f"  left to {self.host} ({len(fallback)}):")
            for n in fallback:
                lines.append(f"    {n.label}: [{n.kind}] {n.reason}")
        return "\n".join(lines)

    __str__ = summary
