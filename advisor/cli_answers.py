"""Answers for ``sizewise recommend``: a file or standard input (``-``), plus ``--set`` overrides, validated.

Why apart from :mod:`advisor.answers`: that module reads and validates answer
files by path; the command also reads a stream (stdin, never a terminal, since
the command must not prompt) and refuses an empty input with a pointer to the
template. This is answers input, not the pipeline: the pipeline takes the
validated ``Answers`` this returns.
"""

from __future__ import annotations

from advisor.errors import UserError


def load_cli_answers(path: str | None, rulebook, sets, *, stdin=None):
    """Answers for ``sizewise recommend``: FILE or '-' (stdin), plus ``--set`` (validated)."""
    from advisor import answers as A

    sets = list(sets or [])
    if path is None:
        return A.load_answers(None, rulebook, sets)
    if path == "-":
        if stdin is None or (hasattr(stdin, "isatty") and stdin.isatty()):
            # never wait on a terminal: this command must not prompt
            raise UserError("--answers -: standard input is a terminal; pipe an answers file in, or give --answers FILE")
        raw = read_answers_stream(stdin, "<stdin>")
    else:
        raw = A.read_answers_file(path)
    if not raw.data and not sets:
        where = "<stdin>" if path == "-" else path
        raise UserError(
            f"{where}: the answers file is empty; fill in the required answers "
            "(`sizewise answers template` prints a file with every question)"
        )
    overrides, problems = A.parse_set(sets)
    answers, more = A.validate(rulebook, raw.merged(overrides))
    problems.extend(more)
    if problems:
        raise A.AnswersError(problems)
    return answers


def read_answers_stream(stream, display: str):
    """An answers mapping read from a stream (stdin) with the same safe loader as files.

    Adapter: advisor.answers reads only paths; this mirrors ``read_answers_file``
    for bytes (requested from its owner as ``read_answers_bytes``).
    """
    from advisor import answers as A
    from engine.yamlsafe import MAX_FILE_BYTES, YamlProblems, load_yaml_bytes

    data = stream.buffer.read(MAX_FILE_BYTES + 1) if hasattr(stream, "buffer") else stream.read().encode("utf-8")
    try:
        doc = load_yaml_bytes(data, display)
    except YamlProblems as err:
        raise A.AnswersError(
            A.AnswerProblem("", p.message, "invalid", f"{p.file}:{p.line}:{p.column}" if p.line else p.file)
            for p in err.problems
        ) from None
    if doc.data is None:
        return A.RawAnswers({}, {}, doc.locator)
    if not isinstance(doc.data, dict):
        line, col = doc.locator.position(())
        raise A.AnswersError([A.AnswerProblem("", "an answers file is a mapping of question id -> answer", "invalid", f"{display}:{line}:{col}")])
    where = {}
    for key in doc.data:
        line, col = doc.locator.position((key,))
        where[key] = f"{display}:{line}:{col}"
    return A.RawAnswers(dict(doc.data), where, doc.locator)
