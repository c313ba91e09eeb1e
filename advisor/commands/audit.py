"""``sizewise audit [RULES_DIR]``: check the rulebook (schema, gaps, overlaps, golden cases, coverage).

Exit codes: 0 clean; 1 findings (errors, or warnings with ``--fail-on-warning``,
or coverage under ``--min-coverage``); 2 the rules cannot be loaded. The JSON
form (``--format json``) is a stable contract documented in docs/rules.md.
"""

from __future__ import annotations

HELP = "check the rulebook: schema, gaps, overlaps, golden cases, coverage"


def add_arguments(parser) -> None:
    parser.add_argument("rules_dir", nargs="?", metavar="RULES_DIR", help="rules directory (default: the shipped rules)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (json: stable, see docs/rules.md)")
    parser.add_argument("--fail-on-warning", action="store_true", help="exit 1 on warnings too (subsumed rules, dead questions, uncovered rules)")
    parser.add_argument("--min-coverage", default="0", metavar="PCT", help="fail when golden cases fire less than PCT%% of the rules (default 0)")
    parser.add_argument("--cases", metavar="DIR", help="golden cases directory (default: RULES_DIR/cases)")


def run(args) -> int:
    import json
    import sys

    from advisor.rulebook.audit import audit
    from advisor.rulebook.loader import RulebookError, load_rulebook

    from engine.units import parse_quantity

    args.min_coverage = parse_quantity(args.min_coverage, name="--min-coverage")  # the one number grammar
    if not 0.0 <= args.min_coverage <= 100.0:
        from advisor.errors import UserError

        raise UserError(f"--min-coverage must be between 0 and 100, got {args.min_coverage:g}")
    try:
        book = load_rulebook(args.rules_dir)
    except RulebookError as err:
        if args.format == "json":
            payload = {
                "version": 1,
                "status": "unusable",
                "rules_dir": args.rules_dir or "rules",
                "rules_hash": None,
                "problems": [
                    {"file": p.file, "line": p.line, "column": p.column, "yaml_path": p.yaml_path, "message": p.message}
                    for p in err.problems
                ],
            }
            sys.stdout.write(json.dumps(payload, indent=2, sort_keys=True) + "\n")
            return 2
        raise
    from engine.errors import terminal_text

    report = audit(book, args.cases, min_coverage=args.min_coverage)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(terminal_text(report.render_text()))
    return report.exit_code(args.fail_on_warning)
