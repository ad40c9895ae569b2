"""compiler/graphs.py against networkx (the library it replaced), where networkx is installed: random
graphs shaped like flows and not, every algorithm the analysis uses."""

from __future__ import annotations

import random

import pytest

from flowc.compiler import graphs

nx = pytest.importorskip("networkx")


def _pair(seed: int, nodes: int, edges: int, acyclic: bool):
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(nodes)]
    ours, theirs = graphs.DiGraph(), nx.DiGraph()
    ours.add_nodes_from(names)
    theirs.add_nodes_from(names)
    for _ in range(edges):
        a, b = rng.randrange(nodes), rng.randrange(nodes)
        if acyclic and a >= b:
            continue
        ours.add_edge(names[a], names[b])
        theirs.add_edge(names[a], names[b])
    return names, ours, theirs


@pytest.mark.parametrize("seed", range(60))
def test_same_answers_as_networkx(seed):
    nodes = 1 + seed % 13 * 3
    names, ours, theirs = _pair(seed, nodes, nodes * (1 + seed % 3), acyclic=seed % 2 == 0)
    order = {name: i for i, name in enumerate(names)}
    assert list(ours) == list(theirs)
    for name in names:
        assert list(ours.successors(name)) == list(theirs.successors(name))
        assert list(ours.predecessors(name)) == list(theirs.predecessors(name))
        assert graphs.descendants(ours, name) == nx.descendants(theirs, name)
    components = graphs.strongly_connected_components(ours)
    assert sorted(map(sorted, components)) == sorted(map(sorted, nx.strongly_connected_components(theirs)))
    for component in components:
        first = min(component, key=order.__getitem__)
        if len(component) > 1 or ours.has_edge(first, first):
            sub = ours.subgraph(component)
            if len(component) * 2 >= max(len(list(ours.successors(n))) for n in component):
                # (networkx walks a subgraph's neighbours in set order when the subgraph is much smaller)
                assert graphs.find_cycle(sub, first) == nx.find_cycle(theirs.subgraph(component), source=first)
            cycle = graphs.find_cycle(sub, first)
            assert cycle and cycle[0][0] == cycle[-1][1]
            assert all(ours.has_edge(a, b) for a, b in cycle)
    if seed % 2 == 0:
        assert list(graphs.lexicographical_topological_sort(ours, key=order.__getitem__)) == list(
            nx.lexicographical_topological_sort(theirs, key=order.__getitem__))
    for start in names[:3]:
        expected = nx.immediate_dominators(theirs.reverse(copy=False), start)
        expected.pop(start, None)  # networkx before 3.5 maps the start to itself; ours leaves it out
        assert graphs.immediate_dominators(ours.reverse(), start) == expected
