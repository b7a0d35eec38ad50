"""How a learner sees a source: the document's title and the part it rests on, never a file name."""

from __future__ import annotations

from collections.abc import Iterable

from ..bank import Bank
from ..bank import models as m


def cite(bank: Bank, refs: Iterable[m.SourceRef]) -> str:
    """«Title, part; Title, part» for the learner (the seed file names stay in the bank)."""
    docs = {d.id: d for d in bank.all("documents")}
    parts = []
    for ref in refs:
        doc = docs.get(ref.file)
        title = doc.title if doc else "Ukjent kilde"
        parts.append(f"{title}, {ref.ref}")
    return "; ".join(dict.fromkeys(parts))
