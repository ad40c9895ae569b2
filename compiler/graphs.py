"""The few directed-graph algorithms the analysis needs, on a small graph of step names.

A flow's graph has tens to a few thousand nodes and the analysis uses six algorithms; importing a general
graph library for them cost more (~70 ms) than analysing a 1000-step flow. Every iteration follows
insertion order (nodes as added, each node's successors and predecessors in edge order), so results are
the same on every run.
"""

from __future__ import annotations

import heapq
from typing import Callable, Hashable, Iterable, Iterator

Node = Hashable


class DiGraph:
    """Nodes and directed edges, both in insertion order."""

    def __init__(self) -> None:
        self._succ: dict[Node, dict[Node, None]] = {}
        self._pred: dict[Node, dict[Node, None]] = {}

    def add_node(self, node: Node) -> None:
        if node not in self._succ:
            self._succ[node] = {}
            self._pred[node] = {}

    def add_nodes_from(self, nodes: Iterable[Node]) -> None:
        for node in nodes:
            self.add_node(node)

    def add_edge(self, tail: Node, head: Node) -> None:
        self.add_node(tail)
        self.add_node(head)
        self._succ[tail][head] = None
        self._pred[head][tail] = None

    def has_edge(self, tail: Node, head: Node) -> bool:
        return head in self._succ.get(tail, ())

    def successors(self, node: Node) -> Iterator[Node]:
        return iter(self._succ[node])

    def predecessors(self, node: Node) -> Iterator[Node]:
        return iter(self._pred[node])

    def __contains__(self, node: object) -> bool:
        return node in self._succ

    def __iter__(self) -> Iterator[Node]:
        return iter(self._succ)

    def __len__(self) -> int:
        return len(self._succ)

    def subgraph(self, nodes: Iterable[Node]) -> "DiGraph":
        """A new graph of `nodes` (in this graph's order) and the edges between them."""
        keep = set(nodes)
        sub = DiGraph()
        sub.add_nodes_from(n for n in self._succ if n in keep)
        for tail in sub:
            for head in self._succ[tail]:
                if head in keep:
                    sub.add_edge(tail, head)
        return sub

    def reverse(self) -> "DiGraph":
        """A new graph with every edge turned around."""
        reversed_ = DiGraph()
        reversed_.add_nodes_from(self._succ)
        for tail, heads in self._succ.items():
            for head in heads:
                reversed_.add_edge(head, tail)
        return reversed_


def descendants(graph: DiGraph, source: Node) -> set[Node]:
    """Every node reachable from `source`, `source` itself excluded."""
    seen, todo = set(), [source]
    while todo:
        for head in graph.successors(todo.pop()):
            if head not in seen:
                seen.add(head)
                todo.append(head)
    seen.discard(source)
    return seen


def strongly_connected_components(graph: DiGraph) -> list[set[Node]]:
    """Tarjan's algorithm, iteratively (a 1000-step chain would exceed Python's recursion limit)."""
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    stack: list[Node] = []
    on_stack: set[Node] = set()
    components: list[set[Node]] = []
    for root in graph:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, graph.successors(root))]
        while work:
            node, heads = work[-1]
            for head in heads:
                if head not in index:
                    index[head] = low[head] = len(index)
                    stack.append(head)
                    on_stack.add(head)
                    work.append((head, graph.successors(head)))
                    break
                if head in on_stack:
                    low[node] = min(low[node], index[head])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def find_cycle(graph: DiGraph, source: Node) -> list[tuple[Node, Node]]:
    """The edges of the first cycle a depth-first search from `source` meets (successors in edge order),
    starting where the cycle closes; [] when there is none."""
    path, position, finished = [source], {source: 0}, set()
    pending = [graph.successors(source)]
    while pending:
        head = next(pending[-1], _DONE)
        if head is _DONE:
            node = path.pop()
            del position[node]
            finished.add(node)
            pending.pop()
        elif head in position:
            cycle = path[position[head]:] + [head]
            return list(zip(cycle, cycle[1:]))
        elif head not in finished:
            position[head] = len(path)
            path.append(head)
            pending.append(graph.successors(head))
    return []


_DONE = object()


def lexicographical_topological_sort(graph: DiGraph, key: Callable[[Node], object]) -> Iterator[Node]:
    """Kahn's algorithm taking, among the nodes ready, the one with the smallest `key` first."""
    indegree = {node: len(graph._pred[node]) for node in graph}
    ready = [(key(node), i, node) for i, node in enumerate(graph) if indegree[node] == 0]
    heapq.heapify(ready)
    tie = len(indegree)
    while ready:
        _, _, node = heapq.heappop(ready)
        for head in graph.successors(node):
            indegree[head] -= 1
            if indegree[head] == 0:
                tie += 1
                heapq.heappush(ready, (key(head), tie, head))
        yield node
    if any(indegree.values()):
        raise ValueError("the graph has a cycle")


def immediate_dominators(graph: DiGraph, start: Node) -> dict[Node, Node]:
    """For every node reachable from `start` but `start` itself, its immediate dominator, by the
    iterative algorithm of Cooper, Harvey and Kennedy over a reverse postorder. KeyError if `start` is not
    in the graph."""
    if start not in graph:
        raise KeyError(start)
    order: list[Node] = []  # postorder
    seen = {start}
    pending = [(start, graph.successors(start))]
    while pending:
        node, heads = pending[-1]
        for head in heads:
            if head not in seen:
                seen.add(head)
                pending.append((head, graph.successors(head)))
                break
        else:
            pending.pop()
            order.append(node)
    rank = {node: i for i, node in enumerate(order)}
    idom = {start: start}
    changed = True
    while changed:
        changed = False
        for node in reversed(order[:-1]):  # reverse postorder, start (last in postorder) left out
            new = None
            for pred in graph.predecessors(node):
                if pred in idom:
                    new = pred if new is None else _intersect(idom, rank, pred, new)
            if new is not None and idom.get(node) != new:
                idom[node] = new
                changed = True
    del idom[start]
    return idom


def _intersect(idom: dict, rank: dict, a: Node, b: Node) -> Node:
    while a != b:
        while rank[a] < rank[b]:
            a = idom[a]
        while rank[b] < rank[a]:
            b = idom[b]
    return a
