"""The ``sizewise`` command line.

Why it is built this way: cold start matters (``sizewise estimate`` must start
well under 0.4 s), so this module imports only ``argparse`` and each command
lives in its own module under :mod:`advisor.commands`, imported only when that
command runs. Each command module exposes::

    HELP: str                                  # one line for ``sizewise --help``
    def add_arguments(parser) -> None          # declare its flags
    def run(args) -> int                       # do the work, return the exit code

``sizewise`` with no command opens the wizard. Every ``SizewiseError`` becomes
one line on stderr and its exit code (2 for bad input); nothing the user can
type produces a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

#: command name -> module under advisor.commands (order = order in --help)
COMMANDS: dict[str, str] = {
    "wizard": "wizard",
    "recommend": "recommend",
    "answers": "answers",
    "estimate": "estimate",
    "catalog": "catalog",
    "audit": "audit",
    "explain": "explain",
    "schema": "schema",
}

# One-line help per command, kept here so ``sizewise --help`` imports nothing.
COMMAND_HELP: dict[str, str] = {
    "wizard": "guided questions in the terminal (the default command)",
    "recommend": "answers file -> recommendation report (Markdown or JSON), never prompts",
    "answers": "answers-file helpers (template)",
    "estimate": "memory, throughput, fleet and cost of one model on one GPU type",
    "catalog": "list the GPU, model and offers catalogs",
    "audit": "check the rulebook: schema, gaps, overlaps, golden cases, coverage",
    "explain": "show which rules fired for an answers file, and why",
    "schema": "print the JSON Schema of the rule files (or of the report)",
}


#: the exit-code table of ``sizewise --help`` (docs/threat-model.md says which input gets which)
EXIT_CODES = """\
exit codes:
  0    success
  1    findings: `audit` found errors (or warnings with --fail-on-warning, or coverage
       under --min-coverage); nothing was wrong with the input
  2    bad input or usage: one message on stderr (file:line:column where there is a
       file), nothing written
  70   internal error: a bug in sizewise (rerun with SIZEWISE_DEBUG=1 for the traceback)
  130  interrupted (Ctrl-C)

see docs/threat-model.md for what is trusted, refused, escaped and written
"""


class _Parser(argparse.ArgumentParser):
    """Every usage error of every command is one line on stderr and exit code 2.

    Why not argparse's default: it prints the whole usage block first (14 lines
    for ``estimate``) and buries the one line that says what is wrong; the other
    errors of the tool (engine, files) are one line each, so usage errors are
    too, pointing at ``--help`` for the full usage. Subcommand parsers inherit
    this class, so ``self.prog`` is ``sizewise <command>``.
    """

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: {_one_line(message)} (see `{self.prog} --help`)\n")


#: longest argparse message echoed (it may quote a whole argument back, e.g. an invalid choice)
_MAX_USAGE_MESSAGE_CHARS = 400


def _one_line(message: str) -> str:
    """argparse's message on one line, control characters escaped, at most a few hundred characters.

    Why: argparse quotes the offending argument back ("invalid choice: '...'"),
    and whatever the user typed must not reach the terminal as escape
    sequences or break the one-line contract (engine.errors.shown does both).
    """
    from engine.errors import shown

    return shown(" ".join(message.split()), _MAX_USAGE_MESSAGE_CHARS)


def _error_text(err: BaseException) -> str:
    """The message of ``err`` as it may reach a terminal: control characters escaped, a long list capped.

    Why here: every error of every command leaves through :func:`main`, so this is
    the one place that guarantees no raw ESC/BEL/U+202E from a file name, a key or a
    value reaches the terminal (engine.errors.terminal_text), and that a file with
    50,000 unknown keys gives a screenful, not 50,001 lines (the header keeps the count).
    """
    from engine.errors import MAX_LISTED_PROBLEMS, capped_lines, terminal_text

    return "\n".join(capped_lines(terminal_text(err).split("\n"), MAX_LISTED_PROBLEMS + 1))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Build the parser, importing only the module of command ``only`` (if any).

    ``sizewise --help`` therefore imports no command module at all.
    """
    parser = _Parser(prog="sizewise", description="Which model size, on what hardware, at what cost.",
                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.command_parsers = {}
    for name in COMMANDS:
        p = sub.add_parser(name, help=COMMAND_HELP[name], description=COMMAND_HELP[name])
        parser.command_parsers[name] = p
        if name == only:
            _load(name).add_arguments(p)
    return parser


def _load(name: str):
    return importlib.import_module(f"advisor.commands.{COMMANDS[name]}")


def main(argv: list[str] | None = None) -> int:
    from engine.errors import SizewiseError

    argv = list(sys.argv[1:] if argv is None else argv)
    # `sizewise` alone, or `sizewise --answers F` etc. without a command -> wizard
    command = next((a for a in argv if not a.startswith("-")), None)
    if not argv or (command not in COMMANDS and argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["wizard", *argv]
        command = "wizard"
    parser = build_parser(only=command if command in COMMANDS else None)
    args, extra = parser.parse_known_args(argv)
    if extra:  # what parse_args does, but reported by the command's parser so the message names the command
        owner = parser.command_parsers.get(args.command, parser)
        owner.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(_load(args.command).run(args) or 0)
    except SizewiseError as err:
        print(f"sizewise {args.command}: {_error_text(err)}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # never show a traceback to a user
        if os.environ.get("SIZEWISE_DEBUG"):
            raise
        print(
            f"sizewise {args.command}: internal error: {type(err).__name__}: {_error_text(err)} "
            "(this is a bug; rerun with SIZEWISE_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
