"""``sizewise answers template``: a commented answers file with every question.

Why generated from the rulebook: the questions, their choices and defaults live
in ``rules/`` (architects edit them there), so the template can never drift
from what ``sizewise recommend`` and the wizard accept. The seven required
answers are left empty (fill them in); every other question is written as a
commented-out line holding its default, so the file stays minimal and loads
back cleanly, and uncommenting a line changes that answer.
"""

from __future__ import annotations

HELP = "answers-file helpers (template)"


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="answers_command", metavar="ACTION")
    sub.required = True
    t = sub.add_parser("template", help="print a commented answers file with every question, its choices and default")
    t.add_argument("--rules", metavar="DIR", help="rules directory (default: the shipped rules)")
    t.add_argument("-o", "--output", metavar="PATH", help="write to PATH (atomically) instead of stdout")
    t.add_argument("--force", action="store_true", help="overwrite PATH if it exists")


def run(args) -> int:
    import sys

    from advisor.rulebook import load_rulebook

    rulebook = load_rulebook(args.rules)
    from engine.errors import terminal_text

    text = terminal_text(render_template(rulebook))  # prompts and help come from rule files
    if args.output:
        from advisor.fileio import atomic_write_text

        inputs = sorted(rulebook.directory.glob("*.y*ml"))  # never overwrite a rule file it was built from
        atomic_write_text(args.output, text, force=args.force, inputs=inputs)
    else:
        sys.stdout.write(text)
    return 0


# ---------------------------------------------------------------------------


def _yaml_scalar(value) -> str:
    """One YAML scalar, as ``yaml.safe_dump`` would write it (no document end marker)."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    if text.endswith("..."):
        text = text[: -len("...")].strip()
    return text


def _num(x: float) -> str:
    """Bounds as people write them: 1 not 1.0, 100000000000 not 1e+11."""
    if float(x).is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(float(x))


def _fmt_test(column: str, test) -> str:
    if isinstance(test, list):
        return f"{column} in {{{', '.join(str(v) for v in test)}}}"
    if isinstance(test, dict):
        ops = {"eq": "=", "ne": "!=", "ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
        parts = []
        for op, val in test.items():
            if op in ("in", "not_in"):
                vals = val if isinstance(val, list) else [val]
                word = "in" if op == "in" else "not in"
                parts.append(f"{column} {word} {{{', '.join(str(v) for v in vals)}}}")
            else:
                parts.append(f"{column} {ops.get(op, op)} {_yaml_scalar(val)}")
        return " and ".join(parts)
    if test is None:
        return f"{column} not asked"
    return f"{column} = {_yaml_scalar(test)}"


def fmt_condition(cond: dict | None) -> str:
    if not cond:
        return "always"
    return " and ".join(_fmt_test(col, test) for col, test in cond.items())


def _wrap(text: str, prefix: str = "#   ", width: int = 96, hang: str | None = None) -> list[str]:
    import textwrap

    return textwrap.wrap(
        " ".join(text.split()), width=width, initial_indent=prefix, subsequent_indent=hang or prefix,
        break_long_words=False, break_on_hyphens=False,
    )


STEP_TITLES = {
    1: "Step 1: task complexity",
    2: "Step 2: quality bar and latency",
    3: "Step 3: volume, deployment and budget",
    4: "Step 4: testing and current plans",
}


def render_template(rulebook) -> str:
    """The commented answers file for ``rulebook`` (deterministic text)."""
    lines = [
        "# sizewise answers file",
        "#",
        "# Fill in the answers marked REQUIRED, then run:",
        "#   sizewise recommend --answers THIS_FILE",
        "# Every other question has a default; its line is commented out. Uncomment and edit",
        "# a line to give your own answer. Numbers accept 200000, 200K or 2e5.",
        "#",
        "# Written by `sizewise answers template` for these rules (a mismatch is only a warning):",
        f"rules_hash: {rulebook.hash}",
    ]
    step = None
    for q in rulebook.question_models:
        if q.step != step:
            step = q.step
            title = STEP_TITLES.get(step, f"Step {step}")
            lines += ["", f"# --- {title} " + "-" * max(3, 80 - len(title) - 7)]
        lines.append("")
        lines += _wrap(q.prompt, prefix="# ")
        if q.help:
            lines += _wrap(q.help)
        kind = q.type
        if q.unit:
            kind += f", unit: {q.unit}"
        if q.bounds is not None:
            kind += f", from {_num(q.bounds.min)} to {_num(q.bounds.max)}"
        lines.append(f"# type: {kind}")
        if q.choices:
            lines.append("# choices:")
            width = max(len(c.value) for c in q.choices)
            for c in q.choices:
                extra = f" (e.g. {', '.join(c.examples)})" if c.examples else ""
                body = _wrap(f"{c.label}{extra}", prefix="", width=92 - width)
                lines.append(f"#   {c.value.ljust(width)}  {body[0]}".rstrip())
                lines += [f"#   {' ' * width}  {more}" for more in body[1:]]
        if q.when:
            lines.append(f"# asked only when: {fmt_condition(q.when)}")
        if q.required:
            lines.append("# REQUIRED")
            lines.append(f"{q.id}:")
            continue
        default = q.default
        if isinstance(default, dict) and "cases" in default:
            parts = [f"{_yaml_scalar(c.get('value'))} when {fmt_condition(c.get('when'))}" for c in default["cases"]]
            if "else" in default:
                parts.append(f"{_yaml_scalar(default['else'])} otherwise")
            lines.append(f"# default: {'; '.join(parts)}")
            shown = default["cases"][0].get("value") if default["cases"] else default.get("else")
            lines.append(f"# {q.id}: {_yaml_scalar(shown)}")
        else:
            lines.append(f"# default: {_yaml_scalar(default)}")
            lines.append(f"# {q.id}: {_yaml_scalar(default)}")
    lines += [
        "",
        "# --- Step 4 results: measured scores on your own examples (optional) ---------",
        "# When you have run the test ladder, give the scores here; the report then picks",
        "# the smallest size meeting the target, with confidence intervals.",
        "# evaluations:",
        "#   target_accuracy: 0.85",
        "#   results:",
        "#     - {size: 7b, correct: 161, examples: 200}",
        "#     - {size: 13b, correct: 176, examples: 200}",
    ]
    return "\n".join(lines) + "\n"
