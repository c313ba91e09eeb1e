"""``sizewise schema``: JSON Schema of the rule files (or ``--report``: of the recommendation report).

Editors validate rule files as architects type when the file starts with the
yaml-language-server modeline (see docs/rules.md)::

    # yaml-language-server: $schema=../docs/schemas/rules.schema.json
"""

from __future__ import annotations

HELP = "print the JSON Schema of the rule files (or of the report)"


def add_arguments(parser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--report", action="store_true", help="the schema of `sizewise recommend --format json` instead")
    group.add_argument("--case", action="store_true", help="the schema of a golden case file (rules/cases/*.yaml)")


def run(args) -> int:
    import json
    import sys

    if args.report:
        try:
            from advisor.recommendation import Recommendation
        except Exception as err:  # not built yet
            from advisor.errors import UserError

            raise UserError(f"the report schema is not available: advisor.recommendation.Recommendation cannot be imported ({type(err).__name__})") from None
        schema = Recommendation.model_json_schema()
    elif args.case:
        from advisor.rulebook.schema import case_json_schema

        schema = case_json_schema()
    else:
        from advisor.rulebook.schema import rules_json_schema

        schema = rules_json_schema()
    sys.stdout.write(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    return 0
