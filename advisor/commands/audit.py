"""``sizewise audit [RULES_DIR]``: check the rulebook (schema, gaps, overlaps, golden cases, coverage).

Exit codes: 0 clean; 1 findings (errors, or warnings with ``--fail-on-warning``,
or coverage under ``--min-coverage``); 2 the rules cannot be loaded. The JSON
form (``--format json``) is a stable contract documented in docs/rules.md.

``--diff OLD_RULES_DIR`` (or ``--diff git:REV``) compares instead: what the
rules decide differently from the old version. Exit 0 when nothing differs,
1 when decisions differ, 2 on bad input.
"""

from __future__ import annotations

HELP = "check the rulebook: schema, gaps, overlaps, golden cases, coverage; or --diff two versions"


def add_arguments(parser) -> None:
    parser.add_argument("rules_dir", nargs="?", metavar="RULES_DIR", help="rules directory (default: the shipped rules)")
    parser.add_argument("--format", choices=("text", "json", "sarif", "junit"), default="text", help="output format (json: stable, see docs/rules.md; sarif: GitHub code scanning; junit: CI test reports)")
    parser.add_argument("--fail-on-warning", action="store_true", help="exit 1 on warnings too (subsumed rules, dead questions, uncovered rules)")
    parser.add_argument("--min-coverage", default="0", metavar="PCT", help="fail when golden cases fire less than PCT%% of the rules (default 0)")
    parser.add_argument("--cases", metavar="DIR", help="golden cases directory (default: RULES_DIR/cases)")
    parser.add_argument("--suggest-cases", metavar="DIR", help="write a golden-case skeleton into DIR for each threshold side no golden case sits on (boundary coverage)")
    parser.add_argument("--diff", metavar="OLD", help="compare with an old version: a rules directory, or git:REV (the rules at a revision of this repository)")
    parser.add_argument("--answers-dir", metavar="DIR", help="with --diff: saved answers files (*.yaml) whose recommendation (size, hardware, monthly cost) changes")


def _unusable(err, rules_dir: str | None) -> str:
    import json

    payload = {
        "version": 1,
        "status": "unusable",
        "rules_dir": rules_dir or "rules",
        "rules_hash": None,
        "problems": [
            {"file": p.file, "line": p.line, "column": p.column, "yaml_path": p.yaml_path, "message": p.message}
            for p in err.problems
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def run(args) -> int:
    import json
    import sys

    from advisor.errors import UserError
    from advisor.rulebook.loader import RulebookError, load_rulebook

    from engine.units import parse_quantity

    args.min_coverage = parse_quantity(args.min_coverage, name="--min-coverage")  # the one number grammar
    if not 0.0 <= args.min_coverage <= 100.0:
        raise UserError(f"--min-coverage must be between 0 and 100, got {args.min_coverage:g}")
    if args.suggest_cases and args.diff:
        raise UserError("--suggest-cases and --diff are separate runs")
    if args.answers_dir and not args.diff:
        raise UserError("--answers-dir needs --diff OLD (it compares two versions of the rules)")
    if args.diff and args.format in ("sarif", "junit"):
        raise UserError(f"--diff reports in text or json, not {args.format}")
    try:
        book = load_rulebook(args.rules_dir)
    except RulebookError as err:
        if args.format == "json":
            sys.stdout.write(_unusable(err, args.rules_dir))
            return 2
        raise
    if args.diff:
        return _run_diff(args, book)
    from advisor.rulebook.audit import audit
    from engine.errors import terminal_text

    report = audit(book, args.cases, min_coverage=args.min_coverage, suggest_dir=args.suggest_cases)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n")
    elif args.format in ("sarif", "junit"):
        from advisor.rulebook.audit_ci import render_junit, render_sarif

        sys.stdout.write(render_sarif(report) if args.format == "sarif" else render_junit(report))
    else:
        sys.stdout.write(terminal_text(report.render_text()))
    return report.exit_code(args.fail_on_warning)


def _run_diff(args, book) -> int:
    import json
    import sys
    from pathlib import Path

    from advisor.errors import UserError
    from advisor.rulebook.diff_report import diff_rulebooks
    from advisor.rulebook.loader import RulebookError, load_rulebook
    from engine.errors import terminal_text

    if args.answers_dir and not Path(args.answers_dir).is_dir():
        raise UserError(f"--answers-dir {args.answers_dir}: not a directory")
    keep = None
    label = None
    if args.diff.startswith("git:"):
        from advisor.rulebook.git_rules import rules_at

        keep, old_dir, label = rules_at(Path(book.directory), args.diff[4:])
    else:
        old_dir = Path(args.diff)
        if not old_dir.is_dir():
            raise UserError(f"--diff {args.diff}: not a directory (give an old rules directory or git:REV)")
    try:
        try:
            old = load_rulebook(old_dir, label=label)
        except RulebookError as err:
            if args.format == "json":
                sys.stdout.write(_unusable(err, label or args.diff))
                return 2
            raise UserError(f"--diff: the old rules cannot be loaded: {err}") from None
        report = diff_rulebooks(old, book, args.cases, args.answers_dir, old_label=label)
    finally:
        if keep is not None:
            keep.cleanup()
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(terminal_text(report.render_text()))
    return report.exit_code()
