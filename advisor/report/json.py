"""JSON rendering: the Recommendation itself, keys sorted, two-space indent.

Why so plain: the JSON output is a contract other tools read (see the stable
fields in :mod:`advisor.recommendation`), so it is exactly
``model_dump(mode="json")`` and nothing else; its schema is
``Recommendation.model_json_schema()`` (``sizewise schema --report``).
"""

from __future__ import annotations

import json


def render_json(rec) -> str:
    data = rec.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
