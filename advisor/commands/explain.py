"""``sizewise explain ANSWERS.yaml``: which rules fired for these answers, and why.

Prints, per decision table, the inputs, every rule that matched (file:line and
its reason) and, for each rule that did not, the first condition that failed
with the actual value. This is how an architect answers "why 13B?".
"""

from __future__ import annotations

HELP = "show which rules fired for an answers file, and why"


def add_arguments(parser) -> None:
    parser.add_argument("answers", metavar="ANSWERS.yaml", nargs="?", help="answers file (omit to use only --set)")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="override one answer (repeatable)")
    parser.add_argument("--rules", metavar="DIR", help="rules directory (default: the shipped rules)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def run(args) -> int:
    import json
    import sys

    from advisor.answers import load_answers
    from advisor.errors import UserError
    from advisor.rulebook.evaluator import evaluate
    from advisor.rulebook.loader import load_rulebook

    if args.answers is None and not args.sets:
        raise UserError("give an answers file or at least one --set key=value")
    book = load_rulebook(args.rules)
    answers = load_answers(args.answers, book, args.sets)
    ev = evaluate(book, answers)
    from engine.errors import terminal_text

    if args.format == "json":
        sys.stdout.write(json.dumps(ev.to_dict(), indent=2, sort_keys=True, default=str) + "\n")
    else:
        sys.stdout.write(terminal_text(ev.render_text()))
    return 0
