"""The learner's record in a learning platform (LMS) through SCORM 1.2 (``mhkurs scorm``).

The package's launch page holds the LMS's SCORM API and frames the hosted course; the course page
talks to it with ``postMessage`` (:mod:`mhkurs.record.sync`). What the LMS keeps comes from here:

- :func:`pack` / :func:`unpack`: the record in ``cmi.suspend_data``, which SCORM 1.2 caps at 4,096
  characters (CMIString4096). The compact form is the record with the exercise results as short
  lists and times as Unix seconds, deflated and base64-encoded behind a version prefix. When even
  that is too long, what is least needed goes first (answers of finished exercises, then of
  tests, ...), never the results, the tests' scores or the completion.
- :func:`status`: ``cmi.core.lesson_status`` and ``cmi.core.score.raw`` (the post-test's best
  percentage).
"""

from __future__ import annotations

import base64
import copy
import json
import zlib
from datetime import datetime, timezone

from ..logic import progress as rules

LIMIT = 4096  # SCORM 1.2 RTE: cmi.suspend_data is a CMIString4096
PREFIX = "mh1:"


def _secs(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        at = datetime.fromisoformat(str(iso))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return int(at.timestamp())


def _iso(secs) -> str:
    return datetime.fromtimestamp(int(secs), timezone.utc).isoformat(timespec="seconds")


def _result(r: dict) -> list:
    return [r["score"], r["max"], r["answered"], r["items"], _secs(r["at"])]


def _unresult(r: list) -> dict:
    score, most, answered, items, at = r
    return {"score": int(score), "max": int(most), "answered": int(answered), "items": int(items), "at": _iso(at)}


def _shrink(data: dict, level: int) -> dict:
    """The record without what is least needed to go on (level 0: all of it)."""
    d = copy.deepcopy(data)
    if level >= 1:  # the views of finished exercises start fresh; their results stay
        for module, states in list(d["states"].items()):
            done = {k for k, e in d["exercises"].get(module, {}).items() if e.get("done")}
            d["states"][module] = {k: v for k, v in states.items() if k not in done}
    if level >= 2:  # the tests' answers, question by question (scores per objective stay)
        for entry in d["tests"].values():
            for res in entry.values():
                for name in ("answers", "right", "wrong"):
                    res.pop(name, None)
    if level >= 3:  # every view's answers, and the count of missed questions for the refreshers
        d["states"] = {m: {k: v for k, v in s.items() if k == "kursbevis"} for m, s in d["states"].items()}
        d["missed"] = {}
        d["refreshers"] = d["refreshers"][-2:]
    if level >= 4:  # the latest results where they differ from the best ones; the name on the certificate
        for module in d["exercises"].values():
            for e in module.values():
                e["latest"] = e["best"]
        for entry in d["tests"].values():
            entry["latest"] = entry["best"]
        d["states"] = {}
    return d


def _compact(data: dict) -> dict:
    ex = {}
    for module, entries in data["exercises"].items():
        ex[module] = {}
        for key, e in entries.items():
            best, latest = _result(e["best"]), _result(e["latest"])
            ex[module][key] = [int(bool(e.get("done"))), int(e.get("attempts", 1)), best] + ([] if latest == best else [latest])
    tests = {}
    for tid, entry in data["tests"].items():
        best, latest = ({**r, "at": _secs(r["at"])} if "at" in r else dict(r) for r in (entry["best"], entry["latest"]))
        tests[tid] = [best] if latest == best else [best, latest]
    out = {"e": ex, "t": tests, "s": {m: s for m, s in data["states"].items() if s}, "m": data["missed"],
           "r": [_secs(r) for r in data["refreshers"]], "c": _secs(data["completed_at"])}
    return {k: v for k, v in out.items() if v not in ({}, [], None)}


def _encode(compact: dict) -> str:
    raw = json.dumps(compact, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    z = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: no zlib header
    return PREFIX + base64.b64encode(z.compress(raw) + z.flush()).decode("ascii")


def pack(data: dict, limit: int = LIMIT) -> str:
    """``data`` (a record) as a ``cmi.suspend_data`` string of at most ``limit`` characters.

    When all of it does not fit, the views of finished exercises lose their answers first, the largest
    first, then the tests' answers, and so on (:func:`_shrink`)."""
    data = rules.normalise(data)
    text = _encode(_compact(data))
    if len(text) <= limit:
        return text
    trimmed = copy.deepcopy(data)
    done = sorted(((len(json.dumps(v)), module, key) for module, states in trimmed["states"].items()
                   for key, v in states.items() if trimmed["exercises"].get(module, {}).get(key, {}).get("done")),
                  reverse=True)
    for _size, module, key in done:
        del trimmed["states"][module][key]
        text = _encode(_compact(trimmed))
        if len(text) <= limit:
            return text
    for level in range(2, 5):
        text = _encode(_compact(_shrink(data, level)))
        if len(text) <= limit:
            return text
    raise ValueError(f"the learner's record does not fit in {limit} characters even without answers")


def unpack(text: str | None) -> dict:
    """The record a ``cmi.suspend_data`` string holds (nothing, damaged or foreign data: an empty record)."""
    if not text or not str(text).startswith(PREFIX):
        return rules.empty()
    try:
        raw = zlib.decompress(base64.b64decode(str(text)[len(PREFIX):], validate=True), -15)
        c = json.loads(raw.decode("utf-8"))
        data = rules.empty()
        for module, entries in c.get("e", {}).items():
            for key, e in entries.items():
                done, attempts, best = e[0], e[1], e[2]
                latest = e[3] if len(e) > 3 else best
                data["exercises"].setdefault(module, {})[key] = {
                    "best": _unresult(best), "latest": _unresult(latest), "done": bool(done), "attempts": int(attempts)}
        for tid, results in c.get("t", {}).items():
            best, latest = (dict(r, at=_iso(r["at"])) if r.get("at") is not None else dict(r)
                            for r in (results[0], results[-1]))
            data["tests"][tid] = {"best": best, "latest": latest}
        data["states"] = c.get("s", {})
        data["missed"] = c.get("m", {})
        data["refreshers"] = [_iso(r) for r in c.get("r", [])]
        data["completed_at"] = _iso(c["c"]) if c.get("c") else None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, zlib.error, UnicodeDecodeError):
        return rules.empty()
    return rules.normalise(data)


def status(bank, data: dict) -> tuple[str, int | None]:
    """(``cmi.core.lesson_status``, ``cmi.core.score.raw`` or None) for the record.

    passed: what the course certificate asks (every module's exercises done and the post-test passed,
    by the course's pass mark and per-objective minimums); failed: the post-test's best result did not
    pass; completed: every module done and no post-test taken yet; incomplete otherwise (also a passed
    post-test while modules are left). The score is the post-test's best percentage (0-100).
    """
    from .certificate import standing

    st = standing(bank, data)
    score = max(0, min(100, int(st.post["percent"]))) if st.post else None
    if st.earned:
        return "passed", score
    if st.post and not st.post.get("passed"):
        return "failed", score
    if not st.modules_left:
        return "completed", score
    return "incomplete", score


def payload(bank, data: dict) -> dict:
    """What the launch page writes to the LMS after every change of the record."""
    lesson_status, score = status(bank, data)
    return {"suspend_data": pack(data), "lesson_status": lesson_status, "score": score}
