"""``sizewise recommend``: answers file in, recommendation report out, never prompts.

Why it never prompts: CI jobs and scripts run it without a terminal. Missing
or invalid answers exit 2 with the complete list of what is missing or wrong
and how to supply it (the same validation as the wizard: advisor.answers).
``-o`` writes atomically and refuses to overwrite without ``--force``; nothing
is written when anything is wrong.
"""

from __future__ import annotations

import re

HELP = "answers file -> recommendation report (Markdown or JSON), never prompts"


def add_arguments(parser) -> None:
    parser.add_argument("--answers", metavar="FILE|-", help="answers file (YAML); '-' reads standard input")
    parser.add_argument(
        "--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="set or override one answer (repeatable)"
    )
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown", help="report format (default markdown)")
    parser.add_argument("-o", "--output", metavar="PATH", help="write the report to PATH (atomically) instead of stdout")
    parser.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="date printed in the report (default: $SOURCE_DATE_EPOCH, else today, UTC)"
    )
    parser.add_argument("--title", help="report title (default: 'Model sizing recommendation')")
    parser.add_argument(
        "--gpus", metavar="ID[,ID...]", help="consider only these catalog GPUs (see `sizewise catalog gpus`)"
    )
    parser.add_argument("--providers", metavar="P[,P...]",
                        help="where the team runs: catalog providers (aws, lambda, ...), own_hardware or any "
                             "(the answer 'providers'; `sizewise catalog offers` lists them)")
    parser.add_argument("--pricing", metavar="TYPE",
                        help="on_demand, committed_1y, committed_3y or spot (the answer 'pricing')")
    parser.add_argument("--evals", metavar="FILE", action="append", default=[],
                        help="evaluation results (lm-evaluation-harness results JSON, promptfoo JSON, Inspect AI "
                             "log, or CSV model,example_id,passed); repeatable; replaces the answers' figure per size")
    parser.add_argument("--eval-target", metavar="SHARE", type=float,
                        help="target accuracy for --evals, e.g. 0.85 (default: the answers' evaluations.target_accuracy)")
    parser.add_argument("--rules", metavar="DIR", help="rules directory (default: the shipped rules)")
    parser.add_argument("--overrides", metavar="FILE", help="engine overrides YAML (your prices, utilisation, power)")
    parser.add_argument("--offers", metavar="FILE",
                        help="your own offers YAML (the format of engine/data/offers.yaml: schema_version: 1, offers: [...]; "
                             "replaces the catalog row of the same provider and instance type, adds the others)")


def run(args) -> int:
    import sys

    from advisor.errors import UserError

    # --providers / --pricing are the answers of the same name (validated, with suggestions, like --set)
    args.sets = [*args.sets, *(f"{k}={v}" for k, v in (("providers", args.providers), ("pricing", args.pricing)) if v)]
    if not args.answers and not args.sets:
        raise UserError(
            "no answers given: pass --answers FILE (or '-' for stdin) and/or --set key=value; "
            "`sizewise answers template` prints a file to fill in"
        )
    generated_on = resolve_date(args.date)
    title = check_title(args.title)

    from advisor.cli_answers import load_cli_answers
    from advisor.pipeline import recommend
    from advisor.report import render
    from advisor.rulebook import load_rulebook

    rulebook = load_rulebook(args.rules)
    answers = load_cli_answers(args.answers, rulebook, args.sets, stdin=sys.stdin)
    overrides = None
    if args.overrides:
        from engine.overrides import load_overrides

        overrides = load_overrides(args.overrides)
    if args.offers:
        from engine.offers import use_offer_file

        use_offer_file(args.offers)
    gpus = parse_gpus(args.gpus) if args.gpus else None
    evaluations = None
    if args.evals:
        from advisor.eval_import import evaluations_from_files

        evaluations = evaluations_from_files(args.evals, args.eval_target, answers.evaluations)
    elif args.eval_target is not None:
        raise UserError("--eval-target: only with --evals FILE")
    rec = recommend(answers, rulebook, evaluations=evaluations, generated_on=generated_on, title=title,
                    overrides=overrides, gpus=gpus)
    from engine.errors import terminal_text

    # a text answer or a rule message could carry ESC or U+202E: escaped in the file as on the terminal,
    # so the report is the same bytes either way
    text = terminal_text(render(rec, args.format), json=args.format == "json")
    if args.output:
        from advisor.fileio import atomic_write_text

        inputs = [p for p in (args.answers, args.overrides, args.offers) if p and p != "-"]
        inputs += sorted(rulebook.directory.glob("*.y*ml"))  # the rule files are inputs too
        atomic_write_text(args.output, text, force=args.force, inputs=inputs)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


def parse_gpus(text: str) -> list[str]:
    """``a100-80gb,h100-sxm`` -> catalog ids (unknown ids: exit 2 with the closest ones)."""
    from advisor.errors import UserError
    from engine.catalog import resolve_gpu

    ids = [t.strip() for t in text.split(",") if t.strip()]
    if not ids:
        raise UserError("--gpus: give one or more GPU ids separated by commas")
    return sorted({resolve_gpu(i).id for i in ids})


def check_title(title: str | None) -> str | None:
    """``--title`` is one line of text: a newline or control character would restructure the report."""
    from advisor.errors import UserError
    from engine.errors import shown

    if title is not None and not title.isprintable():
        raise UserError(f"--title: must be one line of printable text, got '{shown(title)}'")
    return title


#: --date: exactly YYYY-MM-DD in ASCII digits (date.fromisoformat also takes 20260101, 2026-W01-1, other digits)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def resolve_date(given: str | None) -> str:
    """The report date: ``--date``, else ``$SOURCE_DATE_EPOCH`` (reproducible builds), else today (UTC)."""
    import datetime as dt
    import os

    from advisor.errors import UserError

    from engine.errors import shown

    if given:
        try:
            if not _ISO_DATE.fullmatch(given):
                raise ValueError
            return dt.date.fromisoformat(given).isoformat()
        except ValueError:
            raise UserError(f"--date: expected YYYY-MM-DD, got '{shown(given)}'") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            if not epoch.isascii() or not epoch.isdigit():
                raise ValueError
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
        except (ValueError, OverflowError, OSError):
            raise UserError(f"SOURCE_DATE_EPOCH: expected seconds since 1970, got '{shown(epoch)}'") from None
    return dt.datetime.now(tz=dt.timezone.utc).date().isoformat()
