"""The rulebook: questions and decision tables as auditable YAML data.

Public API (see docs/rules.md): :func:`advisor.rulebook.loader.load_rulebook`,
:func:`advisor.rulebook.evaluator.evaluate`, :func:`advisor.rulebook.audit.audit`.
This package imports no Textual and nothing heavy at import time.
"""

from __future__ import annotations

__all__ = ["load_rulebook", "evaluate"]


def load_rulebook(rules_dir=None):
    """Load and check the rule files (``None`` = the shipped rules). See :mod:`.loader`."""
    from advisor.rulebook.loader import load_rulebook as _load

    return _load(rules_dir)


def evaluate(rulebook, answers):
    """Evaluate the decision tables for ``answers``. See :mod:`.evaluator`."""
    from advisor.rulebook.evaluator import evaluate as _evaluate

    return _evaluate(rulebook, answers)
