"""Spaced refreshers: short quizzes that fall due about a week and a month after the course is done.

They draw first on the practice items the learner has missed (most missed first), then on other
practice items. Times are passed in, so the schedule is tested with any clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

INTERVALS = (timedelta(days=7), timedelta(days=30))
"""When the refreshers fall due, counted from the day the course was completed."""
MIN_GAP = timedelta(days=7)
"""Least time between two refreshers."""
SIZE = 5
"""Questions in one refresher."""


@dataclass(frozen=True)
class Due:
    number: int  # 1, 2, ...
    at: datetime
    done: datetime | None

    def is_due(self, now: datetime) -> bool:
        return self.done is None and now >= self.at


def _time(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def schedule(completed_at: str | datetime | None, done: list[str | datetime]) -> list[Due]:
    """Every refresher with its due time and when it was taken (in order; one taken counts for the
    earliest not yet taken). Empty before the course is completed."""
    if not completed_at:
        return []
    start = _time(completed_at)
    taken = sorted(_time(d) for d in done)
    out = []
    for n, gap in enumerate(INTERVALS, 1):
        at = start + gap
        if out and out[-1].done and out[-1].done + MIN_GAP > at:
            at = out[-1].done + MIN_GAP  # the previous one was taken late: keep a week between them
        out.append(Due(n, at, taken[n - 1] if n <= len(taken) else None))
    return out


def due_now(completed_at, done, now: datetime) -> Due | None:
    """The refresher the learner should take now, if any."""
    return next((d for d in schedule(completed_at, done) if d.is_due(now)), None)


def upcoming(completed_at, done) -> Due | None:
    """The next refresher not yet taken."""
    return next((d for d in schedule(completed_at, done) if d.done is None), None)


def practice_items(bank) -> list:
    """Choice questions from the practice pool (the pool the module self-checks use)."""
    return [q for q in bank.all("questions")
            if getattr(q, "pool", "practice") == "practice" and q.type in ("single", "multiple")]


def pick_items(bank, missed: dict[str, int], seed: str, size: int = SIZE) -> list[str]:
    """Question ids for a refresher: missed practice items first (most missed first), then others."""
    pool = {q.id: q for q in practice_items(bank)}
    first = sorted((qid for qid in missed if qid in pool), key=lambda q: (-int(missed[q]), q))
    rest = sorted(qid for qid in pool if qid not in missed)
    random.Random(seed).shuffle(rest)
    return (first + rest)[:size]
