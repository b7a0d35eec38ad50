"""The learner's record: results, resume states, course tests and refreshers, behind one interface.

Views use the module-level functions, which act on this kernel's :class:`Record` (one learner per
kernel, as Voila gives every page its own kernel)::

    from mhkurs import record
    record.save_state(module, key, {...}); record.load_state(module, key)
    record.on_ready(fn)    # fn() runs once the learner's page is connected and the record is read
    record.on_change(fn)   # fn() runs after every change (live progress)

The record is read when the learner's page connects (the browser's first message through the
bridge), never while Voila's preheated kernel runs the page before anyone has asked for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone

from ..logic import progress as rules
from .stores import BrowserStore, FileStore, store_from_env

__all__ = ["Record", "FileStore", "BrowserStore", "current", "save_state", "load_state", "on_ready", "on_change",
           "bridge", "reset", "state_key", "resumable"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Record:
    def __init__(self, store, clock: Callable[[], datetime] = utcnow, bank=None):
        self.store = store
        self.clock = clock
        self._bank = bank
        self._data: dict | None = None
        self._pending: list[Callable[[dict], object]] = []
        self._ready: list[Callable[[], None]] = []
        self._change: list[Callable[[], None]] = []

    # --- connection ------------------------------------------------------------------------

    @property
    def bank(self):
        if self._bank is None:
            from ..bank import get_bank

            self._bank = get_bank()
        return self._bank

    @property
    def ready(self) -> bool:
        return self._data is not None

    def connect(self, browser_data: str | None = None) -> None:
        """The learner's page is there: read the record (for the browser store, what it sent)."""
        if isinstance(self.store, BrowserStore):
            self.store.receive(browser_data)
        first = self._data is None
        self._data = self.store.load()
        if first:
            for fn in list(self._ready):
                fn()
        pending, self._pending = self._pending, []
        for fn in pending:
            self._mutate(fn)
        self._changed()

    def on_ready(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the record has been read (at once if it has)."""
        self._ready.append(fn)
        if self.ready:
            fn()

    def on_change(self, fn: Callable[[], None]) -> None:
        self._change.append(fn)

    def _changed(self) -> None:
        for fn in list(self._change):
            fn()

    def data(self) -> dict:
        """A copy of the record as it is now (empty until the page has connected)."""
        return json.loads(json.dumps(self._data)) if self._data is not None else rules.empty()

    def _mutate(self, fn: Callable[[dict], object]):
        if self._data is None and isinstance(self.store, BrowserStore):
            self._pending.append(fn)  # the browser has not sent the record yet: apply when it has
            return None
        base = self.store.load() if self.store.fresh_reads or self._data is None else self._data
        out = fn(base)
        rules.mark_completion(base, self.bank, self.clock())
        self.store.save(base)
        self._data = base
        self._changed()
        return out

    # --- what views record -----------------------------------------------------------------

    def result(self, module: str, kind: str, ref: str, score: int, max_score: int, answered: int = 1,
               items: int = 1, missed=(), right=()):
        ref = rules.resolve_ref(self.bank, module, kind, ref)
        key = rules.exercise_key(kind, ref)
        return self._mutate(lambda d: rules.add_result(d, module, key, score, max_score, answered, items,
                                                       self.clock(), missed, right))

    def save_state(self, module: str, key: str, state: dict) -> None:
        state = json.loads(json.dumps(state))  # only plain JSON is kept

        def put(d: dict) -> None:
            d["states"].setdefault(module, {})[key] = state

        self._mutate(put)

    def load_state(self, module: str, key: str) -> dict | None:
        if self._data is None:
            return None
        return json.loads(json.dumps(self._data["states"].get(module, {}).get(key))) or None

    def save_test(self, test_id: str, result: dict, better: Callable[[dict, dict], bool]) -> None:
        def put(d: dict) -> None:
            entry = d["tests"].setdefault(test_id, {})
            entry["latest"] = result
            if not entry.get("best") or better(result, entry["best"]):
                entry["best"] = result

        self._mutate(put)

    def refresher_done(self, missed=(), right=()) -> None:
        def put(d: dict) -> None:
            d["refreshers"].append(self.clock().isoformat(timespec="seconds"))
            rules.note_answers(d, missed, right)

        self._mutate(put)

    def export_json(self) -> str:
        return json.dumps(self.data(), ensure_ascii=False, indent=1)

    def clear(self) -> None:
        """Delete everything kept about this learner, in the store and in this kernel."""
        self.store.clear()
        self._data = rules.empty()
        self._changed()


_current: Record | None = None
_bridge = None


def current() -> Record:
    """This kernel's record (created on first use, with the store the server chose)."""
    global _current
    if _current is None:
        _current = Record(store_from_env())
        bridge()
    return _current


def bridge():
    """The widget that links this kernel's record to the learner's page (put it on every page)."""
    global _bridge
    if _bridge is None:
        from .sync import RecordBridge

        _bridge = RecordBridge(current())
    return _bridge


def reset(rec: Record | None = None) -> None:
    """Forget this kernel's record (tests), or use ``rec`` instead."""
    global _current, _bridge
    _current, _bridge = rec, None


def state_key(module: str | None, kind: str, ref: str) -> str:
    """The key a view saves its state under: its exercise key as ``modules.yaml`` names it."""
    if not module:
        return rules.exercise_key(kind, ref)
    from ..bank import get_bank

    return rules.exercise_key(kind, rules.resolve_ref(get_bank(), module, kind, ref))


def save_state(module: str | None, key: str, state: dict) -> None:
    if module:
        current().save_state(module, key, state)


def load_state(module: str | None, key: str) -> dict | None:
    return current().load_state(module, key) if module else None


def on_ready(fn: Callable[[], None]) -> None:
    current().on_ready(fn)


def resumable(module: str | None, key: str, build: Callable[[dict | None, Callable[[dict], None]], object]):
    """A view whose state the learner's record keeps (contract 6).

    ``build(state, save)`` makes the view from a saved state (``None``: a fresh one) and calls
    ``save(state_dict)`` whenever its state changes. The view is built at once and built again from the
    saved state when the record has been read (the learner's page has connected).
    """
    import ipywidgets as w

    def save(state: dict) -> None:
        save_state(module, key, state)

    holder = w.VBox([build(None, save)])

    def restore() -> None:
        saved = load_state(module, key)
        if saved:
            holder.children = [build(saved, save)]

    if module:
        on_ready(restore)
    return holder


def on_change(fn: Callable[[], None]) -> None:
    current().on_change(fn)
