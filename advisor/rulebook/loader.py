"""Load the rule files into a checked, compiled :class:`Rulebook`.

Every problem of every file is collected (file:line:column, YAML path,
message) and raised together as one :class:`RulebookError` (exit code 2), so
an architect fixes a whole batch per run instead of one error at a time.

Checks made while loading (the "schema and references" part of the audit):
structure (pydantic, unknown keys, wrong types: :mod:`.sources`), duplicate ids
(here), questions' domains, defaults and derived arithmetic
(:mod:`.load_questions`), table inputs, outputs produced twice, rules setting
undeclared outputs or values (:mod:`.load_tables`), cycles and unknown message
placeholders (:mod:`.crosscheck`). This module only shows the order of the steps.
"""

from __future__ import annotations

from pathlib import Path

from advisor.rulebook import schema as S
from advisor.rulebook.compiled import (  # noqa: F401  (re-exported: the loader's public names)
    SIZES,
    CompiledQuestion,
    CompiledRule,
    CompiledTable,
    DefaultCase,
    Rulebook,
    RulebookError,
    Where,
)
from advisor.rulebook.conditions import Domain
from advisor.rulebook.crosscheck import check_placeholders, question_uses, toposort
from advisor.rulebook.hashing import content_hash
from advisor.rulebook.load_questions import compile_derived, compile_evidence, compile_questions, question_domains
from advisor.rulebook.load_tables import add_output_domains, compile_table, output_producers
from advisor.rulebook.sources import Sink, pydantic_problems, read_rule_files  # noqa: F401  (pydantic_problems: re-exported)


def shipped_rules_dir() -> Path:
    """``advisor/_rules`` in an installed wheel, else the repository's ``rules/``."""
    import advisor

    pkg = Path(advisor.__file__).parent
    inside = pkg / "_rules"
    if inside.is_dir():
        return inside
    return pkg.parent / "rules"


def load_rulebook(rules_dir: str | Path | None = None, *, label: str | None = None) -> Rulebook:
    """Load, check and compile every rule file of ``rules_dir`` (None = shipped rules).

    ``label`` names the files in messages (``label/name``) instead of their
    path: a temporary copy of an old revision reads ``HEAD~1:rules/x.yaml``.
    """
    directory = Path(rules_dir) if rules_dir is not None else shipped_rules_dir()
    sink = Sink()
    files = read_rule_files(directory, sink, label)
    book = _compile(directory, files, sink)
    sink.raise_if_any()
    return book


class _Sections:
    """Every file's sections merged, each item claimed by a unique id (duplicates reported)."""

    def __init__(self, sink: Sink, files: list[tuple[str, S.RuleFile]]):
        seen: dict[str, Where] = {}
        seen_messages: dict[str, Where] = {}  # messages have their own id namespace

        def claimed(name: str, section: str, kind: str, items: list, ids: dict[str, Where] = seen):
            """Yield (item, where) for each item whose id is new in `ids`; report the others."""
            for i, item in enumerate(items):
                where = sink.where(name, (section, i))
                if item.id in ids:
                    first = ids[item.id]
                    sink.problem(where, f"{kind} id '{item.id}' is already used at {first.file}:{first.line}", sub=("id",))
                    continue
                ids[item.id] = where
                yield item, where

        self.questions: dict[str, tuple[S.Question, Where]] = {}
        self.derived: dict[str, tuple[S.Derived, Where]] = {}
        self.evidence: dict[str, tuple[S.Evidence, Where]] = {}
        self.tables: list[tuple[S.Table, Where]] = []
        self.messages: dict[str, tuple[S.Message, Where]] = {}
        self.impossible: list[tuple[S.Impossible, Where]] = []
        self.manifest: tuple[S.Manifest, Where] | None = None
        for name, rf in files:
            if rf.manifest is not None:
                w = sink.where(name, ("manifest",))
                if self.manifest is not None:
                    first = self.manifest[1]
                    sink.problem(w, f"a manifest is already declared at {first.file}:{first.line} (one file declares it)", key=True)
                else:
                    self.manifest = (rf.manifest, w)
            for q, w in claimed(name, "questions", "question", rf.questions):
                self.questions[q.id] = (q, w)
            for d, w in claimed(name, "derived", "derived value", rf.derived):
                self.derived[d.id] = (d, w)
            for e, w in claimed(name, "evidence", "evidence", rf.evidence):
                self.evidence[e.id] = (e, w)
            for t, w in claimed(name, "tables", "table", rf.tables):
                self.tables.append((t, w))
            for m, w in claimed(name, "messages", "message", rf.messages, seen_messages):
                self.messages[m.id] = (m, w)
            for i, imp in enumerate(rf.impossible):
                self.impossible.append((imp, sink.where(name, ("impossible", i))))


def _compile(directory: Path, files: list[tuple[str, S.RuleFile]], sink: Sink) -> Rulebook:
    raw = _Sections(sink, files)
    domains: dict[str, Domain] = {}
    not_analysable: dict[str, str] = {}
    question_domains(sink, raw.questions, domains, not_analysable)
    compiled_q, order = compile_questions(sink, raw.questions, dict(domains), not_analysable)
    derived = compile_derived(sink, raw.derived, domains, not_analysable)
    compile_evidence(sink, raw.evidence, domains)

    named = {k: ("derived value", w) for k, (_, w) in raw.derived.items()} | {k: ("evidence", w) for k, (_, w) in raw.evidence.items()}
    producers = output_producers(sink, raw.tables, raw.questions, named)
    table_by_id = {t.id: (t, w) for t, w in raw.tables}
    deps = {t.id: {producers[i] for i in t.inputs if i in producers} - {t.id} for t, _ in raw.tables}
    for t, w in raw.tables:
        if any(producers.get(i) == t.id for i in t.inputs):
            sink.problem(w, f"table '{t.id}' uses its own output as an input", sub=("inputs",))
    table_order, blocked = toposort(sink, deps, lambda n: table_by_id[n][1], "tables", [t.id for t, _ in raw.tables])
    table_order = [t for t in table_order if t not in blocked]  # a cycle was reported; nothing more to say
    message_ids = {m.id: m for m, _ in raw.messages.values()}
    compiled_tables: list[CompiledTable] = []
    for tid in table_order:
        t, w = table_by_id[tid]
        ct = compile_table(sink, t, w, domains, not_analysable, message_ids)
        if ct is None:
            continue
        compiled_tables.append(ct)
        add_output_domains(t, producers, domains, not_analysable)

    check_placeholders(sink, raw.messages, set(domains) | set(raw.questions) | set(producers) | set(derived))
    impossible = [(imp, sink.condition(imp.when, domains, not_analysable, w, ("when",)), w) for imp, w in raw.impossible]
    book = Rulebook(
        directory=directory,
        files=sorted(sink.docs),
        questions=compiled_q,
        question_order=order,
        derived=derived,
        evidence=raw.evidence,
        tables=compiled_tables,
        messages=message_ids,
        impossible=impossible,
        domains=domains,
        hash="",
        uses=question_uses(compiled_q, derived, compiled_tables, raw.messages),
        manifest=raw.manifest,
    )
    book.hash = content_hash(files)
    return book
