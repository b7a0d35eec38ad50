"""Load and validate the content bank.

The bank is a folder of YAML files. Each file holds one or more *sections*
(``concepts:``, ``indicators:``, ...), each a list of items. :func:`load_bank`
reads every file, validates every item against its model, then checks that
ids are unique and that every cross-reference resolves. It collects every
problem before it fails, so ``mhkurs check`` can list them all at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from . import models as m
from .conditions import condition_facts
from .rules import scenario_rule_problems

SECTIONS: dict[str, type[BaseModel]] = {
    "documents": m.SourceDocument,
    "concepts": m.Concept,
    "borders": m.Border,
    "classes": m.ClassLabel,
    "categories": m.IndicatorCategory,
    "indicators": m.Indicator,
    "myths": m.Myth,
    "roles": m.Role,
    "facts": m.Fact,
    "duties": m.Duty,
    "situations": m.Situation,
    "actions": m.ScenarioAction,
    "action_rules": m.ActionRule,
    "conversation": m.ConversationPoint,
    "example_questions": m.ExampleQuestion,
    "question_choices": m.QuestionChoiceTask,
    "contacts": m.Contact,
    "rights": m.Right,
    "cases": m.Case,
    "questions": m.Question,
    "modules": m.Module,
    "assignments": m.Assignment,
    "course_tests": m.CourseTest,
}

POOL_OF = {"assignments": "graded", "pre": "pretest", "post": "posttest"}
"""Which question pool an assignment or course test may draw on (contract 2)."""

DEBRIEF = "debrief"
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CONTENT_DIR = REPO_ROOT / "course" / "content"


@dataclass(frozen=True)
class Problem:
    file: str
    item: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.item:
            where += f": item '{self.item}'"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class BankError(Exception):
    """The content bank is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"the content bank has {len(problems)} problem(s):\n{lines}")


class UnknownItem(KeyError):
    """An id asked for by a widget or notebook is not in the bank."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0])


@dataclass
class Bank:
    """The validated content bank: one dict per section, keyed by item id."""

    content_dir: Path
    sections: dict[str, dict[str, BaseModel]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # item id -> file name
    invalid: set[str] = field(default_factory=set)  # ids of items that failed validation

    def section(self, name: str) -> dict:
        return self.sections.setdefault(name, {})

    def get(self, section: str, item_id: str):
        try:
            return self.sections[section][item_id]
        except KeyError:
            known = ", ".join(sorted(self.sections.get(section, {}))[:12])
            raise UnknownItem(
                f"no item '{item_id}' in section '{section}' of the content bank (known: {known}, ...)"
            ) from None

    # Convenience accessors, typed for the rest of the package.
    def case(self, item_id: str) -> m.Case:
        return self.get("cases", item_id)

    def indicator(self, item_id: str) -> m.Indicator:
        return self.get("indicators", item_id)

    def duty(self, item_id: str) -> m.Duty:
        return self.get("duties", item_id)

    def contact(self, item_id: str) -> m.Contact:
        return self.get("contacts", item_id)

    def question(self, item_id: str) -> m.Question:
        return self.get("questions", item_id)

    def class_label(self, item_id: str) -> m.ClassLabel:
        return self.get("classes", item_id)

    def module(self, item_id: str) -> m.Module:
        return self.get("modules", item_id)

    def assignment(self, item_id: str) -> m.Assignment:
        return self.get("assignments", item_id)

    def all(self, section: str) -> list:
        return list(self.sections.get(section, {}).values())


def _loc(loc: Iterable) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _read_file(path: Path, problems: list[Problem]) -> dict | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(Problem(path.name, None, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(path.name, None, None, f"cannot be read: {exc}"))
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(path.name, None, None, "the file must be a mapping of section names to lists"))
        return None
    return data


def _parse(content_dir: Path, problems: list[Problem]) -> Bank:
    bank = Bank(content_dir=content_dir)
    files = sorted(content_dir.glob("*.yaml"))
    if not files:
        problems.append(Problem(str(content_dir), None, None, "no .yaml files in the content folder"))
    for path in files:
        data = _read_file(path, problems)
        if data is None:
            continue
        for section, items in data.items():
            model = SECTIONS.get(section)
            if model is None:
                problems.append(Problem(path.name, None, str(section), f"unknown section (known: {', '.join(SECTIONS)})"))
                continue
            if not isinstance(items, list):
                problems.append(Problem(path.name, None, section, "a section must be a list of items"))
                continue
            for index, raw in enumerate(items):
                item_id = raw.get("id") if isinstance(raw, dict) else None
                label = str(item_id) if item_id else f"{section}[{index}]"
                try:
                    item = model.model_validate(raw)
                except ValidationError as exc:
                    for err in exc.errors():
                        problems.append(Problem(path.name, label, _loc(err["loc"]) or None, err["msg"]))
                    if item_id:
                        bank.invalid.add(str(item_id))
                    continue
                if item.id in bank.origin:
                    problems.append(
                        Problem(path.name, item.id, "id", f"duplicate id (also in {bank.origin[item.id]})")
                    )
                    continue
                bank.origin[item.id] = path.name
                bank.section(section)[item.id] = item
    return bank


def _walk_refs(bank: Bank) -> Iterator[tuple[str, str, str, str, str]]:
    """Yield (item id, field, wanted section, referenced id, what) for every cross-reference."""
    for section, items in bank.sections.items():
        for item in items.values():
            for i, src in enumerate(getattr(item, "source", []) or []):
                yield item.id, f"source[{i}].file", "documents", src.file, "source document"
    for b in bank.all("borders"):
        yield b.id, "a", "concepts", b.a, "concept"
        yield b.id, "b", "concepts", b.b, "concept"
    for c in bank.all("classes"):
        if c.concept:
            yield c.id, "concept", "concepts", c.concept, "concept"
    for ind in bank.all("indicators"):
        yield ind.id, "category", "categories", ind.category, "indicator category"
    for f in bank.all("facts"):
        for i, r in enumerate(f.roles):
            yield f.id, f"roles[{i}]", "roles", r, "role"
    for sit in bank.all("situations"):
        if sit.case:
            yield sit.id, "case", "cases", sit.case, "case"
        for fact in sit.facts:
            yield sit.id, f"facts.{fact}", "facts", fact, "navigator fact"
    for d in bank.all("duties"):
        for i, r in enumerate(d.roles):
            yield d.id, f"roles[{i}]", "roles", r, "role"
        for fact in condition_facts(d.applies_when):
            yield d.id, "applies_when", "facts", fact, "navigator fact"
        for i, c in enumerate(d.contacts):
            yield d.id, f"contacts[{i}]", "contacts", c, "contact"
    for case in bank.all("cases"):
        for i, ind in enumerate(case.indicators):
            yield case.id, f"indicators[{i}]", "indicators", ind, "indicator"
        yield case.id, "classification", "classes", case.classification, "class"
        for i, d in enumerate(case.duties):
            yield case.id, f"duties[{i}]", "duties", d, "duty"
        if case.scenario:
            for s, step in enumerate(case.scenario.steps):
                for c, choice in enumerate(step.choices):
                    base = f"scenario.steps[{s}].choices[{c}]"
                    for i, ind in enumerate(choice.indicators):
                        yield case.id, f"{base}.indicators[{i}]", "indicators", ind, "indicator"
                    for i, d in enumerate(choice.duties):
                        yield case.id, f"{base}.duties[{i}]", "duties", d, "duty"
    for q in bank.all("questions"):
        for i, t in enumerate(q.tests):
            yield q.id, f"tests[{i}]", "*", t, "bank item"
        if q.case:
            yield q.id, "case", "cases", q.case, "case"
        if q.type == "classification":
            yield q.id, "answer[0]", "classes", q.answer[0], "class"
    for a in bank.all("assignments"):
        for i, q in enumerate(a.questions):
            yield a.id, f"questions[{i}]", "questions", q, "question"
    for t in bank.all("course_tests"):
        for i, q in enumerate(t.questions):
            yield t.id, f"questions[{i}]", "questions", q, "question"
    for mod in bank.all("modules"):
        for i, ex in enumerate(mod.exercises):
            if ex.kind in ("scenario", "spotter"):
                yield mod.id, f"exercises[{i}].ref", "cases", ex.ref, "case"


def scenario_problems(case: m.Case) -> list[tuple[str, str]]:
    """Structural problems of a case's scenario, as (field, message) pairs.

    A scenario is valid when its start exists, step ids are unique, every
    choice leads to an existing step or to the debrief, every step can be
    reached, and no path loops: so every path ends in the debrief.
    """
    sc = case.scenario
    if sc is None:
        return []
    out: list[tuple[str, str]] = []
    steps = {}
    for i, step in enumerate(sc.steps):
        if step.id in steps or step.id == DEBRIEF:
            out.append((f"scenario.steps[{i}].id", f"duplicate or reserved step id '{step.id}'"))
        steps[step.id] = step
    if sc.start not in steps:
        out.append(("scenario.start", f"unknown step '{sc.start}'"))
        return out
    for i, step in enumerate(sc.steps):
        for c, choice in enumerate(step.choices):
            if choice.next != DEBRIEF and choice.next not in steps:
                out.append((f"scenario.steps[{i}].choices[{c}].next", f"unknown step '{choice.next}' (dead end)"))
    if out:
        return out
    # Depth-first search for reachability and cycles.
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(step_id: str, path: list[str]) -> None:
        state[step_id] = 1
        for choice in steps[step_id].choices:
            nxt = choice.next
            if nxt == DEBRIEF:
                continue
            if state.get(nxt) == 1:
                out.append(("scenario", f"choice '{choice.id}' in step '{step_id}' loops back to '{nxt}': "
                                        "a path must always reach the debrief"))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[step_id] = 2

    visit(sc.start, [sc.start])
    for step_id in steps:
        if step_id not in state:
            out.append(("scenario", f"step '{step_id}' cannot be reached from the start"))
    if out:
        return out
    return out + _teaching_problems(sc, steps)


MIN_CHOICES = 3
MIN_PATHS = 2


def _teaching_problems(sc: m.Scenario, steps: dict[str, m.Step]) -> list[tuple[str, str]]:
    """What makes a scenario teach: real branches, enough choices, feedback, a good choice in every step."""
    out: list[tuple[str, str]] = []
    for i, step in enumerate(sc.steps):
        base = f"scenario.steps[{i}]"
        if len(step.choices) < MIN_CHOICES:
            out.append((f"{base}.choices", f"step '{step.id}' has {len(step.choices)} choice(s); "
                                           f"a step needs at least {MIN_CHOICES}"))
        ids = [c.id for c in step.choices]
        for c, choice in enumerate(step.choices):
            if ids.count(choice.id) > 1:
                out.append((f"{base}.choices[{c}].id", f"duplicate choice id '{choice.id}' in step '{step.id}'"))
            if not choice.feedback.nb.strip():
                out.append((f"{base}.choices[{c}].feedback", f"choice '{choice.id}' has no feedback"))
        if not any(c.quality == "god" for c in step.choices):
            out.append((f"{base}.choices", f"step '{step.id}' has no choice of quality 'god'"))
    n_paths = len(_step_sequences(sc, steps))
    if n_paths < MIN_PATHS:
        out.append(("scenario", f"only {n_paths} distinct path(s) of steps lead to the debrief; a scenario needs "
                                f"at least {MIN_PATHS} (choices must lead to different steps, not only to "
                                "different feedback)"))
    return out


def _step_sequences(sc: m.Scenario, steps: dict[str, m.Step]) -> set[tuple[str, ...]]:
    """The distinct sequences of step ids from the start to the debrief (the scenario has no loops)."""
    out: set[tuple[str, ...]] = set()

    def walk(step_id: str, seq: tuple[str, ...]) -> None:
        seq = seq + (step_id,)
        for nxt in {c.next for c in steps[step_id].choices}:
            if nxt == DEBRIEF:
                out.add(seq)
            else:
                walk(nxt, seq)

    walk(sc.start, ())
    return out


def _check(bank: Bank, problems: list[Problem]) -> None:
    for item_id, fld, section, ref, what in _walk_refs(bank):
        if ref in bank.invalid:
            continue  # already reported where it is defined
        if section == "*":
            ok = ref in bank.origin
        else:
            ok = ref in bank.sections.get(section, {})
        if not ok:
            problems.append(Problem(bank.origin.get(item_id, "?"), item_id, fld, f"unknown {what} '{ref}'"))
    for case in bank.all("cases"):
        for fld, msg in scenario_problems(case):
            problems.append(Problem(bank.origin[case.id], case.id, fld, msg))
    for item_id, fld, msg in scenario_rule_problems(bank):
        problems.append(Problem(bank.origin.get(item_id, "?"), item_id, fld, msg))
    bound = {r for d in bank.all("duties") if d.kind == "plikt" for r in d.roles}
    for role in bank.all("roles"):
        if role.id not in bound:
            problems.append(Problem(bank.origin[role.id], role.id, "id",
                                    "no duty (kind: plikt) names this role in its 'roles': every role needs its duties"))
    cases = bank.sections.get("cases", {})
    for mod in bank.all("modules"):
        for i, ex in enumerate(mod.exercises):
            case = cases.get(ex.ref)
            if case is None:
                continue
            if ex.kind == "scenario" and case.scenario is None:
                problems.append(Problem(bank.origin[mod.id], mod.id, f"exercises[{i}].ref",
                                        f"case '{ex.ref}' has no scenario to play"))
            if ex.kind == "spotter" and not case.indicators:
                problems.append(Problem(bank.origin[mod.id], mod.id, f"exercises[{i}].ref",
                                        f"case '{ex.ref}' links no indicators for the spotter"))
    _check_pools(bank, problems)
    for section, what in (("modules", "module"), ("assignments", "assignment")):
        numbers: dict[int, str] = {}
        for item in bank.all(section):
            if item.number in numbers:
                problems.append(Problem(bank.origin[item.id], item.id, "number",
                                        f"{what} number {item.number} also used by '{numbers[item.number]}'"))
            numbers[item.number] = item.id


def objective_ids(bank: Bank) -> dict[str, str]:
    """Every module objective id, mapped to its module id."""
    return {o.id: mod.id for mod in bank.all("modules") for o in mod.objectives}


def _check_pools(bank: Bank, problems: list[Problem]) -> None:
    """Questions name an existing objective; assignments and course tests use only their own pool."""
    objectives = objective_ids(bank)
    for q in bank.all("questions"):
        if objectives and q.objective not in objectives:
            problems.append(Problem(bank.origin[q.id], q.id, "objective", f"unknown module objective '{q.objective}'"))
    users = [("assignments", a, POOL_OF["assignments"]) for a in bank.all("assignments")]
    users += [("course_tests", t, POOL_OF[t.kind]) for t in bank.all("course_tests")]
    for _section, user, pool in users:
        for i, qid in enumerate(user.questions):
            q = bank.sections.get("questions", {}).get(qid)
            if q is not None and q.pool != pool:
                problems.append(Problem(bank.origin[user.id], user.id, f"questions[{i}]",
                                        f"question '{qid}' is in pool '{q.pool}', but only '{pool}' items may be used here"))
    for t in bank.all("course_tests"):
        for r, rule in enumerate(t.pass_rules):
            for i, obj in enumerate(rule.objectives):
                if obj not in objectives:
                    problems.append(Problem(bank.origin[t.id], t.id, f"pass_rules[{r}].objectives[{i}]",
                                            f"unknown module objective '{obj}'"))


def load_bank(content_dir: str | os.PathLike | None = None) -> Bank:
    """Read, validate and cross-check the bank; raise :class:`BankError` listing every problem."""
    directory = Path(content_dir or os.environ.get("MHKURS_CONTENT") or DEFAULT_CONTENT_DIR)
    problems: list[Problem] = []
    if not directory.is_dir():
        raise BankError([Problem(str(directory), None, None, "content folder not found")])
    bank = _parse(directory, problems)
    _check(bank, problems)
    if problems:
        raise BankError(problems)
    return bank


@lru_cache(maxsize=4)
def _cached(directory: str) -> Bank:
    return load_bank(directory)


def get_bank() -> Bank:
    """The course's bank, loaded once per process (widgets and notebooks use this)."""
    directory = os.environ.get("MHKURS_CONTENT") or str(DEFAULT_CONTENT_DIR)
    return _cached(str(Path(directory).resolve()))
