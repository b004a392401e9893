"""Builder methods: reduce_l1, reduce_l2, reduce_log_sum, reduce_log_sum_exp, reduce_max, reduce_mean, reduce_min, reduce_product, reduce_sum, reduce_sum_square, arg_min, arg_max, cumulative_sum."""

from __future__ import annotations


class ReductionOps:
    """Mixin of MLGraphBuilder (to be filled: reduce_l1, reduce_l2, reduce_log_sum, reduce_log_sum_exp, reduce_max, reduce_mean, reduce_min, reduce_product, reduce_sum, reduce_sum_square, arg_min, arg_max, cumulative_sum)."""
