"""Tests of the host-neutral partitioner (webnn_providers.partition).

Hand-built DAGs for the classic cases, hypothesis properties on random DAGs (validity checked
here independently of the implementation, minimality against a brute force on small graphs),
and ``graph_predecessors`` on ONNX models. Timing is not asserted; measure by hand, e.g.
``partition`` on a random 5,000-node DAG with ``time.perf_counter``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper
from webnn_providers.onnx import from_onnx_model, group_io
from webnn_providers.partition import (
    graph_predecessors,
    is_convex,
    partition,
    topological_runs,
)

S, U = True, False  # supported / unsupported (host) node

Preds = list[list[int]]


# ---------------------------------------------------------------- independent checkers


def condensed_order_ok(groups: Sequence[Sequence[int]], preds: Sequence[Sequence[int]],
                       supported: Sequence[bool]) -> bool:
    """True when the condensed graph (groups + host nodes) has a topological order in which
    the groups appear in the given order (so in particular it is acyclic)."""
    owner: dict[int, tuple[str, int]] = {}
    for g, group in enumerate(groups):
        for v in group:
            owner[v] = ("g", g)
    for v, ok in enumerate(supported):
        if not ok:
            owner[v] = ("h", v)
    edges: set[tuple[tuple[str, int], tuple[str, int]]] = set()
    for v, ps in enumerate(preds):
        for p in ps:
            if owner[p] != owner[v]:
                edges.add((owner[p], owner[v]))
    for g in range(len(groups) - 1):  # the returned order must be respected
        edges.add((("g", g), ("g", g + 1)))
    vertices = set(owner.values())
    indegree = dict.fromkeys(vertices, 0)
    out: dict[tuple[str, int], list[tuple[str, int]]] = {x: [] for x in vertices}
    for a, b in edges:
        out[a].append(b)
        indegree[b] += 1
    ready = [x for x in vertices if indegree[x] == 0]
    seen = 0
    while ready:
        x = ready.pop()
        seen += 1
        for y in out[x]:
            indegree[y] -= 1
            if indegree[y] == 0:
                ready.append(y)
    return seen == len(vertices)


def assert_valid(groups: list[list[int]], preds: Sequence[Sequence[int]],
                 supported: Sequence[bool]) -> None:
    """Every supported node in exactly one group, no host node in a group, groups sorted and
    non-empty, every group convex, the condensed graph acyclic in the returned order."""
    members = [v for group in groups for v in group]
    assert sorted(members) == [v for v, ok in enumerate(supported) if ok]
    for group in groups:
        assert group and group == sorted(group)
        assert is_convex(group, preds)
    assert condensed_order_ok(groups, preds, supported)


def cut_edges(groups: list[list[int]], preds: Preds) -> int:
    """Data edges between two different groups."""
    owner = {v: g for g, group in enumerate(groups) for v in group}
    return sum(1 for v, ps in enumerate(preds) for p in set(ps)
               if v in owner and p in owner and owner[v] != owner[p])


def set_partitions(items: list[int]) -> Iterator[list[list[int]]]:
    """All partitions of ``items`` into non-empty blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for blocks in set_partitions(rest):
        yield [[first], *blocks]
        for i in range(len(blocks)):
            yield [*blocks[:i], [first, *blocks[i]], *blocks[i + 1:]]


def brute_force_minimum(preds: Preds, supported: list[bool]) -> int:
    """Fewest groups of any valid partition (condensed graph acyclic in some order)."""
    nodes = [v for v, ok in enumerate(supported) if ok]
    best = len(nodes)
    for blocks in set_partitions(nodes):
        if len(blocks) < best and _acyclic(blocks, preds, supported):
            best = len(blocks)
    return best


def _acyclic(blocks: list[list[int]], preds: Preds, supported: list[bool]) -> bool:
    """The condensed graph of ``blocks`` + host nodes is acyclic (a plain DFS cycle check,
    no group order imposed)."""
    owner = {v: ("g", g) for g, block in enumerate(blocks) for v in block}
    owner.update({v: ("h", v) for v, ok in enumerate(supported) if not ok})
    out: dict[tuple[str, int], set[tuple[str, int]]] = {x: set() for x in owner.values()}
    for v, ps in enumerate(preds):
        for p in ps:
            if owner[p] != owner[v]:
                out[owner[p]].add(owner[v])
    state: dict[tuple[str, int], int] = {}

    def dfs(x: tuple[str, int]) -> bool:  # False on a cycle
        state[x] = 1
        for y in out[x]:
            if state.get(y) == 1 or (y not in state and not dfs(y)):
                return False
        state[x] = 2
        return True

    return all(dfs(x) for x in out if x not in state)


# ---------------------------------------------------------------- hand-built DAGs


def test_empty_graph() -> None:
    assert partition([], []) == []
    assert topological_runs([], []) == []


@pytest.mark.parametrize("ok, expected", [(S, [[0]]), (U, [])])
def test_single_node(ok: bool, expected: list[list[int]]) -> None:
    assert partition([[]], [ok]) == expected
    assert topological_runs([[]], [ok]) == expected


def test_chain_all_supported() -> None:
    preds = [[], [0], [1], [2]]
    assert partition(preds, [S] * 4) == [[0, 1, 2, 3]]


def test_chain_with_host_node_in_the_middle() -> None:
    preds = [[], [0], [1], [2], [3]]
    supported = [S, S, U, S, S]
    assert partition(preds, supported) == [[0, 1], [3, 4]]
    assert topological_runs(preds, supported) == [[0, 1], [3, 4]]


def test_chain_alternating_needs_one_group_per_run() -> None:
    preds = [[i - 1] if i else [] for i in range(7)]
    supported = [S, U, S, U, S, U, S]
    assert partition(preds, supported) == [[0], [2], [4], [6]]


def test_none_supported() -> None:
    preds = [[], [0], [0], [1, 2]]
    assert partition(preds, [U] * 4) == []
    assert topological_runs(preds, [U] * 4) == []


def test_all_supported_including_disconnected_parts() -> None:
    preds = [[], [0], [], [2], [1, 3], []]
    assert partition(preds, [S] * 6) == [list(range(6))]


def test_diamond_all_supported() -> None:
    preds = [[], [0], [0], [1, 2]]
    assert partition(preds, [S] * 4) == [[0, 1, 2, 3]]


def test_diamond_with_host_node_on_one_branch() -> None:
    """The classic case: merging the three supported nodes {0, 2, 3} would make a cycle
    group -> 1 -> group, so 0 and 3 must be in different groups."""
    preds = [[], [0], [0], [1, 2]]
    supported = [S, U, S, S]
    assert not is_convex([0, 2, 3], preds)
    groups = partition(preds, supported)
    assert_valid(groups, preds, supported)
    assert groups == [[0, 2], [3]]
    assert len(topological_runs(preds, supported)) == 2


def test_parallel_branches_into_concat_across_an_unrelated_host_node() -> None:
    """Two supported branches feeding a supported Concat, with an unrelated host node between
    them in the topological order: the runs baseline splits, the partitioner does not."""
    preds = [[], [0], [], [0], [1, 3]]
    supported = [S, S, U, S, S]
    assert topological_runs(preds, supported) == [[0, 1], [3, 4]]
    assert partition(preds, supported) == [[0, 1, 3, 4]]


def test_host_source_runs_before_the_group_it_feeds() -> None:
    preds = [[], [], [0, 1]]
    supported = [S, U, S]
    assert topological_runs(preds, supported) == [[0], [2]]
    groups = partition(preds, supported)
    assert groups == [[0, 2]]
    assert_valid(groups, preds, supported)


def test_disconnected_islands_merge_by_default() -> None:
    """Islands {0, 1} and {3, 4} (a host node 2 after the first): no path joins them, so one
    group is valid; merge_disconnected=False keeps them apart."""
    preds = [[], [0], [1], [], [3]]
    supported = [S, S, U, S, S]
    assert partition(preds, supported) == [[0, 1, 3, 4]]
    split = partition(preds, supported, merge_disconnected=False)
    assert split == [[0, 1], [3, 4]]
    assert_valid(split, preds, supported)


def test_island_joins_a_group_without_making_one_more() -> None:
    preds = [[], [0], [1], []]
    supported = [S, U, S, S]
    groups = partition(preds, supported)
    assert len(groups) == 2 and [3] not in groups
    assert_valid(groups, preds, supported)


def test_per_group_convexity_is_not_enough() -> None:
    """{0, 4} and {1, 5} are each convex but depend on each other through host nodes 2 and 3;
    the partitioner must check the condensed graph globally."""
    preds = [[], [], [0], [1], [3], [2]]
    supported = [S, S, U, U, S, S]
    assert is_convex([0, 4], preds) and is_convex([1, 5], preds)
    assert not condensed_order_ok([[0, 4], [1, 5]], preds, supported)
    assert not condensed_order_ok([[1, 5], [0, 4]], preds, supported)
    groups = partition(preds, supported)
    assert groups == [[0, 1], [4, 5]]
    assert_valid(groups, preds, supported)


def test_side_input_moves_to_its_consumer_group() -> None:
    """Node 2 (a supported source) only feeds node 3, which must be after host node 1: it goes
    with 3 rather than with 0, so no tensor passes between the two groups."""
    preds = [[], [0], [], [1, 2]]
    supported = [S, U, S, S]
    groups = partition(preds, supported)
    assert groups == [[0], [2, 3]]
    assert cut_edges(groups, preds) == 0


def test_side_output_stays_with_its_producer_group() -> None:
    preds = [[], [0], [1], [0]]
    supported = [S, U, S, S]
    groups = partition(preds, supported)
    assert groups == [[0, 3], [2]]
    assert cut_edges(groups, preds) == 0


def test_duplicate_predecessors_are_allowed() -> None:
    preds = [[], [0, 0], [1, 0, 1]]
    assert partition(preds, [S, U, S]) == [[0], [2]]


@pytest.mark.parametrize("preds, supported", [
    ([[], [1]], [S, S]),       # self edge
    ([[], [2], []], [S] * 3),  # predecessor after its consumer
    ([[], [-1]], [S, S]),
    ([[]], [S, S]),            # length mismatch
])
def test_malformed_input_is_rejected(preds: Preds, supported: list[bool]) -> None:
    with pytest.raises(ValueError):
        partition(preds, supported)
    with pytest.raises(ValueError):
        topological_runs(preds, supported)


def test_is_convex() -> None:
    chain = [[], [0], [1], [2]]
    assert is_convex([], chain)
    assert is_convex([2], chain)
    assert is_convex([1, 2], chain)
    assert not is_convex([0, 2], chain)
    assert not is_convex([3, 0], chain)  # order of the group does not matter
    diamond = [[], [0], [0], [1, 2]]
    assert is_convex([0, 2], diamond)
    assert is_convex([1, 2], diamond)  # not connected, but nothing leaves and re-enters
    assert not is_convex([0, 3], diamond)
    with pytest.raises(ValueError):
        is_convex([5], chain)


def test_topological_runs() -> None:
    preds = [[], [0], [1], [], [3], [4]]
    assert topological_runs(preds, [S, S, U, S, U, S]) == [[0, 1], [3], [5]]
    assert topological_runs(preds, [U, S, S, S, S, U]) == [[1, 2, 3, 4]]


# ---------------------------------------------------------------- properties


@st.composite
def dags(draw: st.DrawFn, max_nodes: int = 40) -> tuple[Preds, list[bool]]:
    """Random DAGs in topological order: each node reads up to 3 earlier nodes (possibly
    repeated), support bits with a random density."""
    n = draw(st.integers(0, max_nodes))
    preds = [draw(st.lists(st.integers(0, i - 1), max_size=3)) if i else [] for i in range(n)]
    density = draw(st.sampled_from([0.2, 0.5, 0.8, 0.95]))
    supported = [draw(st.floats(0, 1)) < density for _ in range(n)]
    return preds, supported


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@PROPERTY
@given(dags())
def test_partition_is_valid(case: tuple[Preds, list[bool]]) -> None:
    preds, supported = case
    groups = partition(preds, supported)
    assert_valid(groups, preds, supported)
    assert len(groups) <= len(topological_runs(preds, supported))
    assert partition(preds, supported) == groups  # deterministic


@PROPERTY
@given(dags())
def test_no_two_groups_can_merge(case: tuple[Preds, list[bool]]) -> None:
    """Maximality: merging any two groups makes the condensed graph cyclic."""
    preds, supported = case
    groups = partition(preds, supported)
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            merged = sorted(groups[i] + groups[j])
            rest = [g for k, g in enumerate(groups) if k not in (i, j)]
            assert not _acyclic([merged, *rest], preds, supported)


@PROPERTY
@given(dags())
def test_split_disconnected_is_valid_and_connected(case: tuple[Preds, list[bool]]) -> None:
    preds, supported = case
    merged = partition(preds, supported)
    groups = partition(preds, supported, merge_disconnected=False)
    assert_valid(groups, preds, supported)
    assert len(groups) >= len(merged)
    for group in groups:  # weakly connected
        members, reached, todo = set(group), {group[0]}, [group[0]]
        while todo:
            v = todo.pop()
            for w in members - reached:
                if v in preds[w] or w in preds[v]:
                    reached.add(w)
                    todo.append(w)
        assert reached == members


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(dags(max_nodes=9).filter(lambda case: sum(case[1]) <= 7))
def test_group_count_is_minimal(case: tuple[Preds, list[bool]]) -> None:
    """Against a brute force over all partitions of the supported nodes (small graphs)."""
    preds, supported = case
    assert len(partition(preds, supported)) == brute_force_minimum(preds, supported)


def test_brute_force_sees_the_diamond_cycle() -> None:
    assert brute_force_minimum([[], [0], [0], [1, 2]], [S, U, S, S]) == 2
    assert brute_force_minimum([[], [0], [0], [1, 2]], [S, S, S, S]) == 1


# ---------------------------------------------------------------- ONNX GraphInfo


def _model(nodes: list[onnx.NodeProto], inputs: list[str], outputs: list[str],
           initializers: Sequence[onnx.TensorProto] = ()) -> onnx.ModelProto:
    def info(name: str) -> onnx.ValueInfoProto:
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, [2])

    graph = helper.make_graph(nodes, "g", [info(n) for n in inputs],
                              [info(n) for n in outputs], list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_graph_predecessors_from_onnx_model() -> None:
    w = helper.make_tensor("W", TensorProto.FLOAT, [2], [1.0, 2.0])
    model = _model([
        helper.make_node("Relu", ["X"], ["a"]),             # 0: graph input only
        helper.make_node("Add", ["a", "W"], ["b"]),         # 1: initializer ignored
        helper.make_node("Sigmoid", ["X"], ["c"]),          # 2
        helper.make_node("Mul", ["b", "c"], ["d"]),         # 3
        helper.make_node("Add", ["d", "d"], ["e"]),         # 4: one producer read twice
        helper.make_node("Sum", ["a", "", "e"], ["Y"]),     # 5: empty name = absent input
    ], ["X"], ["Y"], [w])
    graph = from_onnx_model(model)
    assert graph_predecessors(graph) == [[], [0], [], [1, 2], [3], [0, 4]]


def test_graph_predecessors_sees_subgraph_outer_reads() -> None:
    """An If body reading an outer value ``a`` makes the If node depend on a's producer."""
    body_out = helper.make_tensor_value_info("t", TensorProto.FLOAT, [2])
    then_branch = helper.make_graph([helper.make_node("Neg", ["a"], ["t"])], "then", [],
                                    [body_out])
    else_branch = helper.make_graph([helper.make_node("Identity", ["X"], ["t"])], "else", [],
                                    [body_out])
    cond = helper.make_tensor("C", TensorProto.BOOL, [], [True])
    model = _model([
        helper.make_node("Relu", ["X"], ["a"]),                               # 0
        helper.make_node("If", ["C"], ["f"], then_branch=then_branch,
                         else_branch=else_branch),                            # 1
        helper.make_node("Add", ["a", "f"], ["Y"]),                           # 2
    ], ["X"], ["Y"], [cond])
    graph = from_onnx_model(model)
    preds = graph_predecessors(graph)
    assert preds == [[], [0], [0, 1]]
    # with the If on the host, Relu and Add cannot share a group
    groups = partition(preds, [S, U, S])
    assert groups == [[0], [2]]


def test_partition_of_an_onnx_graph_with_group_io() -> None:
    """The diamond case on a real graph: Relu -> (Erf on the host | Sigmoid) -> Mul."""
    model = _model([
        helper.make_node("Relu", ["X"], ["a"]),
        helper.make_node("Erf", ["a"], ["b"]),
        helper.make_node("Sigmoid", ["a"], ["c"]),
        helper.make_node("Mul", ["b", "c"], ["Y"]),
    ], ["X"], ["Y"])
    graph = from_onnx_model(model)
    supported = [node.op_type != "Erf" for node in graph.nodes]
    groups = partition(graph_predecessors(graph), supported)
    assert groups == [[0, 2], [3]]
    assert group_io(graph, groups[0]) == (["X"], ["a", "c"])
    assert group_io(graph, groups[1]) == (["b", "c"], ["Y"])
