"""``sizewise wizard`` (and ``sizewise`` alone): the guided questions in the terminal.

Only argparse-level work happens at import time; the rulebook, the session and
Textual are imported inside :func:`run`, after the terminal check, so a
scripted call without a terminal exits at once (exit 2) instead of hanging on
a screen nobody can see.
"""

from __future__ import annotations

import argparse
import sys

HELP = "guided questions in the terminal (the default command)"

NO_TTY = (
    "sizewise wizard: needs an interactive terminal (stdin is not a TTY).\n"
    "Without one, use `sizewise recommend --answers FILE [--set key=value ...]`;\n"
    "`sizewise answers template` prints a file to fill in."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", metavar="FILE", help="start prefilled from this answers file")
    parser.add_argument("--rules", metavar="DIR", help="use the rulebook in DIR instead of the shipped rules")
    parser.add_argument("--light", action="store_true", help="start with the light theme")


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def prefill(backend, path: str) -> tuple[dict, dict | None]:
    """Raw answers and the ``evaluations:`` block from ``--answers FILE`` for the session.

    Unknown keys are refused with the same message ``sizewise recommend``
    gives; values are checked by the session itself, so a wrong one shows as a
    flagged answer to fix in the wizard instead of stopping the run.
    """
    from advisor.answers import AnswersError, read_answers_file, validate

    raw = read_answers_file(path)
    _, problems = validate(backend.rulebook, raw)
    unknown = [p for p in problems if p.kind in ("unknown", "reserved")]
    if unknown:
        raise AnswersError(unknown)
    answers = {k: v for k, v in raw.data.items() if k not in ("rules_hash", "evaluations")}
    return answers, raw.data.get("evaluations")


def run(args: argparse.Namespace) -> int:
    if not _interactive():
        print(NO_TTY, file=sys.stderr)
        return 2
    from advisor import drafts
    from advisor.session_cache import CachedRulebookBackend

    backend = CachedRulebookBackend(args.rules)
    overrides, evaluations = prefill(backend, args.answers) if args.answers else ({}, None)
    offer = None if args.answers else drafts.load_draft()

    from advisor.tui.app import SizewiseApp

    app = SizewiseApp(backend, overrides=overrides, evaluations=evaluations, offer_draft=offer,
                      theme="textual-light" if args.light else "textual-dark")
    # Everything that exists now (modules, classes, Textual's and our
    # stylesheets, the rules snapshot) lives as long as the process. Freezing
    # it keeps the garbage collector from scanning it again in every full
    # collection: about 25 ms less collecting before the first screen is
    # painted, and cheaper collections for the rest of the session.
    import gc

    gc.freeze()
    try:
        code = app.run()
    except KeyboardInterrupt:  # a signal outside Textual's own key handling
        drafts.save_draft(app.session.snapshot())
        code = 130
    if app.exported is not None:
        stale = " (before your later changes: the draft keeps those)" if app.export_stale else ""
        print(f"report saved to {app.exported}{stale}")
    if app.draft_saved is not None and drafts.draft_path().exists():
        print(f"draft saved to {app.draft_saved}; run `sizewise` to resume")
    return 130 if code is None else int(code)
