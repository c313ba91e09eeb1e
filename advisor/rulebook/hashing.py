"""The rules hash: which rule set produced an answer or a report.

``sha256:`` over the canonical JSON of the parsed rule files: every field with
its default filled in (so writing a default explicitly changes nothing), keys
sorted, each section sorted by content, except questions, whose order is the
wizard's order and so part of the meaning. File names, file order, comments,
quoting and layout do not change it.
"""

from __future__ import annotations

import hashlib
import json

from advisor.rulebook import schema as S


def content_hash(files: list[tuple[str, S.RuleFile]]) -> str:
    """sha256 over the canonical content: independent of file names, file order, layout.

    Questions keep their declared order (it is the wizard's order, part of the
    meaning); every other section is sorted by id.
    """
    merged: dict[str, list] = {k: [] for k in S.RuleFile.model_fields}
    for _, rf in sorted(files, key=lambda x: x[0]):
        for k in merged:
            merged[k].extend(m.model_dump(mode="json") for m in getattr(rf, k))
    for k, items in merged.items():
        if k != "questions":
            items.sort(key=lambda m: json.dumps(m, sort_keys=True))
    text = json.dumps(merged, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
