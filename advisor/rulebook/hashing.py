"""The rules hash: which rule set produced an answer or a report.

``sha256:`` over the canonical JSON of the parsed rule files: every field with
its default filled in (so writing a default explicitly changes nothing), keys
sorted, and each section (questions too) sorted by content. File names, file
order, the order of entries in a section, comments, quoting and layout do not
change it, nor does the ``manifest`` (a contract the audit checks, not a decision). (The order of questions is presentation: answers are evaluated in
dependency order, so it cannot change a decision. The order of *rules* inside
a table is kept: under hit policy ``first`` it is meaning.)
"""

from __future__ import annotations

import hashlib
import json

from advisor.rulebook import schema as S


def content_hash(files: list[tuple[str, S.RuleFile]]) -> str:
    """``sha256:<hex>`` of the canonical content of ``files`` ((name, parsed file) pairs)."""
    merged: dict[str, list] = {k: [] for k in S.RuleFile.model_fields if k != "manifest"}  # a check, not a decision
    for _, rf in files:
        for k in merged:
            merged[k].extend(m.model_dump(mode="json") for m in getattr(rf, k))
    for items in merged.values():
        items.sort(key=lambda m: json.dumps(m, sort_keys=True))
    text = json.dumps(merged, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
