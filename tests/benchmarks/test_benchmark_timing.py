"""The interleaved timing order of the benchmarks is balanced for carry-over."""

from collections import Counter

import pytest

from benchmarks.frameworks.timing import interleaved, round_order


@pytest.mark.parametrize("n", [2, 3, 4])
def test_every_runtime_follows_every_other_equally_often(n):
    names = [f"r{i}" for i in range(n)]
    period = 1
    for k in range(2, n):
        period *= k
    sequence = [name for i in range(3 * period) for name in round_order(names, i)]
    pairs = Counter(zip(sequence, sequence[1:] + sequence[:1], strict=True))
    assert all(a != b for a, b in pairs)  # never itself
    assert len(pairs) == n * (n - 1)
    assert len(set(pairs.values())) == 1
    for i in range(period):
        assert sorted(round_order(names, i)) == names


def test_interleaved_calls_each_once_per_round():
    calls = []
    samples = interleaved({n: (lambda n=n: calls.append(n)) for n in "abc"}, 4, 1)
    assert [len(v) for v in samples.values()] == [4, 4, 4]
    assert calls[:3] == ["a", "b", "c"]  # warm-up
    assert calls[3:6] == ["a", "b", "c"] and calls[6:9] == ["a", "c", "b"]
