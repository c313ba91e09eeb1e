"""Property: any sequence of next/back/edit/goto keeps the session's invariants.

Invariants (advisor/session.py docstring): no hidden question keeps an answer
or an override; every kept answer passes validation in its context or is
flagged; the cursor is always on a visible step and never on Result with
incomplete answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent / "tui"))

from fixture_backend import QUESTIONS, FixtureBackend  # noqa: E402

from advisor.session import MISSING, RESULT, STEPS, WizardSession  # noqa: E402

VALUES = {
    q.id: ([c.value for c in q.choices] + ["bogus"]) if q.kind == "choice"
    else [True, False, "maybe"] if q.kind == "boolean"
    else ["0.3", "1", "2K", "100M", "-1", "x", "", "5", "1e12"]
    for q in QUESTIONS
}

moves = st.one_of(
    st.just(("next",)),
    st.just(("back",)),
    st.tuples(st.just("goto"), st.integers(0, len(STEPS) - 1)),
    st.sampled_from(QUESTIONS).flatmap(
        lambda q: st.tuples(st.just("edit"), st.just(q.id), st.sampled_from(VALUES[q.id]))
    ),
)


def check_invariants(s: WizardSession, backend: FixtureBackend) -> None:
    visible = set(s.visible_ids)
    assert set(s.answers) <= visible
    assert set(s.overrides) <= visible
    assert set(s.problems) <= visible
    assert not set(s.answers) & set(s.problems)
    context: dict = {}
    order = getattr(backend, "order", None) or [q.id for q in backend.questions]
    by_id = {q.id: q for q in backend.questions}
    for q in (by_id[qid] for qid in order):
        assert (q.id in visible) == backend.visible(q.id, dict(context))
        if q.id in s.answers:
            raw = s.overrides.get(q.id, backend.default(q.id, dict(context)))
            if raw is None:  # an optional question left without a value: valid as it is
                value, problem = None, None
            else:
                value, problem = backend.check(q.id, raw, dict(context))
            assert problem is None and value == s.answers[q.id]
            context[q.id] = value
        elif q.id in visible and (q.id in s.overrides or backend.default(q.id, dict(context)) is not MISSING):
            assert q.id in s.problems  # present but not valid -> flagged
    assert s.step_visible(s.cursor)
    assert s.cursor <= s.reached
    if s.cursor == RESULT:
        assert s.complete


@settings(max_examples=150, deadline=None)
@given(st.lists(moves, max_size=40))
def test_random_moves_keep_invariants(sequence):
    backend = FixtureBackend()
    s = WizardSession(backend)
    check_invariants(s, backend)
    for move in sequence:
        if move[0] == "next":
            before = s.cursor
            moved = s.next()
            assert moved == (before != RESULT and s.cursor > before)
        elif move[0] == "back":
            s.back()
        elif move[0] == "goto":
            allowed = s.can_goto(move[1])
            assert s.goto(move[1]) == allowed
            if allowed:
                assert s.cursor == move[1]
        else:
            _, qid, value = move
            if qid in s.visible_ids:
                s.set_answer(qid, value)
        check_invariants(s, backend)
    # a snapshot restores the same answers
    r = WizardSession.restore(FixtureBackend(), s.snapshot())
    assert r.answers == s.answers and r.problems == s.problems


_REAL = {}


def real_backend():
    """The shipped rulebook, loaded once for the module (no Textual, no engine)."""
    if not _REAL:
        from advisor.session_backend import RulebookBackend

        _REAL["b"] = RulebookBackend()
    return _REAL["b"]


def real_moves():
    b = real_backend()
    values = {
        q.id: [c.value for c in q.choices] + ["bogus"] if q.choices
        else ["yes", "no", "maybe"] if q.kind == "boolean"
        else ["1", "2K", "100M", "-1", "x", "", "0.5", "1e12"]
        for q in b.questions
    }
    return st.one_of(
        st.just(("next",)), st.just(("back",)),
        st.tuples(st.just("goto"), st.integers(0, len(STEPS) - 1)),
        st.sampled_from(b.questions).flatmap(
            lambda q: st.tuples(st.just("edit"), st.just(q.id), st.sampled_from(values[q.id]))),
    )


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_moves_keep_invariants_on_the_shipped_rules(data):
    """Same invariants, checked against advisor.answers on the real questions."""
    backend = real_backend()
    s = WizardSession(backend)
    for move in data.draw(st.lists(real_moves(), max_size=25)):
        if move[0] == "next":
            s.next()
        elif move[0] == "back":
            s.back()
        elif move[0] == "goto":
            s.goto(move[1])
        elif move[1] in s.visible_ids:
            s.set_answer(move[1], move[2])
        check_invariants(s, backend)
