"""ONNX matrix products: MatMul, Gemm, Einsum, MatMulInteger -> WebNN matmul / gemm.

MatMul follows numpy: a 1-D first operand is a row ``[1, K]`` and a 1-D second operand
a column ``[K, 1]``, the added axis being removed from the result. Einsum is decomposed
into per-operand reductions and pairwise batched matrix products (transpose + reshape +
matmul); diagonals (a label repeated in one operand) are refused. MatMulInteger runs in
float32 where every partial sum is an exactly representable integer.
"""

from __future__ import annotations

import math
import re
import string

from ..translator import NodeView, translator


def _reshape_product(n: NodeView, y, shape: list[int]):
    """Reshape a matmul result (numpy drops the dimensions of 1-D operands)."""
    return n.b.reshape(y, shape)


def matmul_nd(n: NodeView, a, b):
    """numpy ``matmul`` semantics on top of WebNN's rank >= 2 matmul."""
    row, column = a.rank == 1, b.rank == 1
    if row:
        a = n.b.reshape(a, [1, a.shape[0]])
    if column:
        b = n.b.reshape(b, [b.shape[0], 1])
    y = n.b.matmul(a, b)
    if row or column:
        shape = list(y.shape)
        if column:
            del shape[-1]
        if row:
            del shape[-1 if column else -2]
        y = _reshape_product(n, y, shape)
    return y


@translator("MatMul", since=1)
def matmul(n: NodeView) -> list:
    """ONNX MatMul (1, 9, 13: types only): numpy ``matmul``. WebNN's matmul is float-only,
    so integer MatMul is refused by the builder."""
    return [matmul_nd(n, n.input(0), n.input(1))]


@translator("Gemm", since=7)
def gemm(n: NodeView) -> list:
    """ONNX Gemm (7: unidirectional broadcast of C; 11: C optional; 13: types):
    ``alpha * A' * B' + beta * C`` is WebNN gemm."""
    c = n.input(2) if n.has_input(2) else None
    return [n.b.gemm(n.input(0), n.input(1), c=c, alpha=float(n.attr("alpha", 1.0)),
                     beta=float(n.attr("beta", 1.0)),
                     a_transpose=bool(n.attr("transA", 0)),
                     b_transpose=bool(n.attr("transB", 0)))]


# -- Einsum -------------------------------------------------------------------------------
_ELLIPSIS_LABELS = string.digits  # never letters, so never clash with the equation's


def _parse_einsum(n: NodeView, equation: str, ranks: list[int]) -> tuple[list[str], str]:
    """Each operand's labels (one character per axis, ellipses expanded to digits aligned
    to the right) and the output's labels (implicit output: ellipsis, then the labels that
    occur once, alphabetically)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ranks) or not re.fullmatch(r"[A-Za-z.,]*(->[A-Za-z.]*)?", eq):
        raise n.unsupported(f"equation {equation!r} does not match the {len(ranks)} inputs")
    ell = max((r - len(t.replace("...", "")) for t, r in zip(terms, ranks, strict=True)
               if "..." in t), default=0)
    all_ell = _ELLIPSIS_LABELS[:ell]
    labels = []
    for term, rank in zip(terms, ranks, strict=True):
        if "..." in term:
            count = rank - len(term.replace("...", ""))
            term = term.replace("...", all_ell[ell - count:] if count else "")
        if len(term) != rank or "." in term:
            raise n.unsupported(f"equation {equation!r}: term does not match rank {rank}")
        labels.append(term)
    if arrow:
        out = rhs.replace("...", all_ell)
        if "." in out:
            raise n.unsupported(f"equation {equation!r}: malformed output")
    else:
        joined = "".join(labels)
        out = all_ell + "".join(sorted(c for c in set(joined) if c.isalpha()
                                       and joined.count(c) == 1))
    return labels, out


class _Einsum:
    """The running decomposition: each operand with its labels, contracted pairwise."""

    def __init__(self, n: NodeView, equation: str) -> None:
        self.n = n
        self.equation = equation
        self.sizes: dict[str, int] = {}

    def refuse(self, why: str):
        return self.n.unsupported(f"equation {self.equation!r}: {why}")

    def record(self, x, labels: str):
        if len(set(labels)) != len(labels):
            raise self.refuse("a label repeated within one operand (diagonal) is not "
                              "supported")
        for label, size in zip(labels, x.shape, strict=True):
            known = self.sizes.setdefault(label, size)
            if size == known:
                continue
            if label not in _ELLIPSIS_LABELS or 1 not in (size, known):
                raise self.refuse(f"label {label!r} has sizes {known} and {size} (only "
                                  "ellipsis axes broadcast, from size 1)")
            self.sizes[label] = max(size, known)

    def sum_out(self, x, labels: str, keep: set[str]):
        """Reduce the axes whose labels are not in ``keep``."""
        axes = [i for i, label in enumerate(labels) if label not in keep]
        if not axes:
            return x, labels
        x = self.n.b.reduce_sum(x, axes=axes)
        return x, "".join(label for label in labels if label in keep)

    def arrange(self, x, labels: str, order: str):
        """Transpose ``x`` to ``order`` and broadcast its size-1 ellipsis axes."""
        if labels != order:
            x = self.n.b.transpose(x, permutation=[labels.index(c) for c in order])
        full = [self.sizes[c] for c in order]
        if list(x.shape) != full:
            x = self.n.b.expand(x, full)
        return x

    def contract(self, a, la: str, b, lb: str, keep: set[str]):
        """``a`` and ``b`` -> one operand over ``batch + left + right`` labels, where the
        shared labels not kept are summed by a matmul."""
        a, la = self.sum_out(a, la, keep | set(lb))
        b, lb = self.sum_out(b, lb, keep | set(la))
        batch = "".join(c for c in la if c in lb and c in keep)
        inner = "".join(c for c in la if c in lb and c not in keep)
        left = "".join(c for c in la if c not in lb)
        right = "".join(c for c in lb if c not in la)
        size = self.sizes
        bsz = [size[c] for c in batch]
        lsz, isz, rsz = (math.prod(size[c] for c in s) for s in (left, inner, right))
        a = self.n.b.reshape(self.arrange(a, la, batch + left + inner), bsz + [lsz, isz])
        b = self.n.b.reshape(self.arrange(b, lb, batch + inner + right), bsz + [isz, rsz])
        y = self.n.b.matmul(a, b)
        y = _reshape_product(self.n, y, bsz + [size[c] for c in left + right])
        return y, batch + left + right


@translator("Einsum", since=12)
def einsum(n: NodeView) -> list:
    """ONNX Einsum (12): operands are folded left to right; before each step the labels
    needed neither later nor in the output are summed away, and every pairwise step is a
    (batched) matmul. Handles matrix products, batch matmul, transposes, reductions,
    outer and inner products and ellipses; refuses diagonals (``ii->i``)."""
    equation = str(n.attr("equation"))
    operands = [n.input(i) for i in range(n.num_inputs)]
    labels, out = _parse_einsum(n, equation, [x.rank for x in operands])
    if len(set(out)) != len(out) or any(c not in "".join(labels) for c in out):
        raise n.unsupported(f"equation {equation!r}: invalid output labels {out!r}")
    state = _Einsum(n, equation)
    for x, la in zip(operands, labels, strict=True):
        state.record(x, la)
    y, ly = operands[0], labels[0]
    for i in range(1, len(operands)):
        later = set(out).union(*labels[i + 1:])
        y, ly = state.contract(y, ly, operands[i], labels[i], later)
    y, ly = state.sum_out(y, ly, set(out))
    y = state.arrange(y, ly, out)
    if y is operands[0]:
        y = n.b.identity(y)
    return [y]


# -- MatMulInteger ------------------------------------------------------------------------
_EXACT_LIMIT = 2 ** 24  # float32 holds every integer below this exactly


def _centered(n: NodeView, index: int, zp_index: int, per_row: bool):
    """Input ``index`` as float32 minus its zero point (scalar, or 1-D per row of A /
    per column of B)."""
    x = n.b.cast(n.input(index), "float32")
    if not n.has_input(zp_index):
        return x
    zp = n.input(zp_index)
    if zp.data_type != n.input(index).data_type:
        raise n.unsupported(f"zero point type {zp.data_type} differs from its input's",
                            "dtype")
    size = math.prod(zp.shape)
    if size != 1:
        if zp.rank != 1 or x.rank < 2:
            raise n.unsupported(f"zero point shape {list(zp.shape)} (only scalars and 1-D "
                                "per-row/per-column zero points)", "shape")
        if per_row:
            zp = n.b.reshape(zp, [size, 1])
    return n.b.sub(x, n.b.cast(zp, "float32"))


@translator("MatMulInteger", since=10)
def matmul_integer(n: NodeView) -> list:
    """ONNX MatMulInteger (10): ``(A - a_zero_point) @ (B - b_zero_point)`` in int32, for
    int8/uint8 operands. WebNN's matmul is float-only, so it runs in float32, which is
    exact while ``K * 255 * 255 < 2^24`` (every product and partial sum is then an
    integer float32 holds); larger K is refused."""
    a, b = n.input(0), n.input(1)
    for x in (a, b):
        if x.data_type not in ("int8", "uint8"):
            raise n.unsupported(f"operand type {x.data_type} (int8/uint8 only)", "dtype")
    k = a.shape[-1]
    if k * 255 * 255 >= _EXACT_LIMIT:
        raise n.unsupported(f"inner dimension {k}: float32 accumulation is exact only for "
                            f"K * 255^2 < 2^24 (K <= {(_EXACT_LIMIT - 1) // 255 ** 2})",
                            "shape")
    y = matmul_nd(n, _centered(n, 0, 2, per_row=True), _centered(n, 1, 3, per_row=False))
    return [n.b.cast(y, "int32")]
