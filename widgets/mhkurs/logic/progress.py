"""Progress: which exercises of a module are done and how they went.

Results are kept in memory and, when a progress file is configured, saved as JSON so the landing
page can show them. The file is per learner: on a JupyterHub each user has a home of their own;
set MHKURS_PROGRESS_FILE="" to keep progress per page only (a shared anonymous server).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


def default_path() -> Path | None:
    value = os.environ.get("MHKURS_PROGRESS_FILE")
    if value is None:
        return Path.home() / ".mhkurs" / "progress.json"
    return Path(value) if value else None


@dataclass
class Progress:
    path: Path | None = field(default_factory=default_path)
    _mem: dict = field(default_factory=dict, repr=False)

    def load(self) -> dict[str, dict[str, dict]]:
        if not self.path:
            return json.loads(json.dumps(self._mem))
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # a damaged progress file must never break a course page
        return data if isinstance(data, dict) else {}

    def record(self, module_id: str, exercise: str, score: int, max_score: int) -> None:
        data = self.load()
        data.setdefault(module_id, {})[exercise] = {"score": score, "max": max_score}
        self._mem = data
        if self.path:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
                tmp.replace(self.path)
            except OSError:
                pass

    def module(self, module_id: str) -> dict[str, dict]:
        return self.load().get(module_id, {})


def exercise_key(kind: str, ref: str) -> str:
    return f"{kind}:{ref}"
