"""Checks across the whole rulebook: dependency order and cycles, message placeholders, who uses what.

Why apart: these look at every section at once (questions, derived values,
tables, messages), after each section was compiled on its own.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from advisor.rulebook.sources import Sink

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def toposort(sink: Sink, graph: dict[str, set[str]], where: Callable[[str], Any], what: str, order: list[str]) -> tuple[list[str], set[str]]:
    """Dependencies first, otherwise declaration order (stable); reports a cycle with its path.

    Returns the order and the nodes blocked by a cycle (every node still
    pending when it was found; they come last in the order).
    """
    done: set[str] = set()
    out: list[str] = []
    pending = list(order)
    while pending:
        for n in pending:
            if graph.get(n, set()) <= done:
                out.append(n)
                done.add(n)
                pending.remove(n)
                break
        else:
            cycle = find_cycle({n: graph.get(n, set()) - done for n in pending})
            sink.problem(where(cycle[0]), f"cycle in {what}: {' -> '.join(cycle)}")
            return out + pending, set(pending)
    return out, set()


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle in ``graph`` (every node has an unfinished dependency), as a closed path."""
    start = next(iter(graph))
    path: list[str] = [start]
    while True:
        nxt = sorted(graph[path[-1]] & set(graph))[0]
        if nxt in path:
            cyc = path[path.index(nxt):] + [nxt]
            # rotate so the path starts at its first-declared node
            first = min(range(len(cyc) - 1), key=lambda i: list(graph).index(cyc[i]))
            return cyc[first:-1] + cyc[:first] + [cyc[first]]
        path.append(nxt)


def check_placeholders(sink: Sink, messages: dict[str, tuple[Any, Any]], placeable: set[str]) -> None:
    """Every ``{name}`` of a message names a value the evaluator has."""
    for _mid, (m, w) in messages.items():
        for name in PLACEHOLDER.findall(m.message):
            if name not in placeable:
                sink.problem(w, f"message refers to unknown value '{{{name}}}'", sub=("message",))


def question_uses(compiled_q: dict, derived: dict, tables: list, messages: dict) -> dict[str, list[str]]:
    """Question id -> what reads it (other questions, derived values, tables, messages, outputs)."""
    uses: dict[str, list[str]] = {qid: [] for qid in compiled_q}
    for qid, cq in compiled_q.items():
        for dep in cq.depends_on():
            if dep in uses:
                uses[dep].append(f"question {qid}")
        if cq.model.output:
            uses[qid].append("outputs (pass-through)")
    for did, (_, expr, _) in derived.items():
        for r in expr.refs():
            if r in uses:
                uses[r].append(f"derived {did}")
    for ct in tables:
        for i in ct.model.inputs:
            if i in uses:
                uses[i].append(f"table {ct.id}")
    for m, _ in messages.values():
        for name in PLACEHOLDER.findall(m.message):
            if name in uses:
                uses[name].append(f"message {m.id}")
    return uses
