"""Typed models of the content bank.

Every learner-facing string is a :class:`Text` (bokmål required, English optional);
in YAML a plain string is read as the bokmål text. Every item carries an ``id`` and
at least one :class:`SourceRef` naming a seed document and the passage it rests on.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]

Purpose = Literal["seksuell", "arbeid", "tjenester", "krigstjeneste", "organer"]
"""The exploitation purposes of straffeloven § 257 (forced labour and forced services apart)."""

Audience = Literal["politi", "arbeidstilsyn", "mottak", "alle"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A learner-facing text: Norwegian bokmål, with room for an English edition."""

    nb: Annotated[str, StringConstraints(min_length=1)]
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, value: object) -> object:
        if isinstance(value, str):
            return {"nb": value}
        return value

    def __str__(self) -> str:
        return self.nb


class SourceRef(Strict):
    file: str = Field(description="Seed document id, as listed in sources.yaml")
    ref: Annotated[str, StringConstraints(min_length=3)] = Field(
        description="Heading or passage of the document the item rests on"
    )


class Item(Strict):
    id: Slug
    source: Annotated[list[SourceRef], Field(min_length=1)]


# --- sources -----------------------------------------------------------------


class SourceDocument(Strict):
    id: str = Field(description="File name of the seed document, or the id of a statute")
    title: str
    publisher: str
    year: str
    kind: Literal["seed", "lov"] = Field(
        "seed", description="'seed': a document in shared/seeds; 'lov': a statute the course cites beyond the seeds")


# --- glossary ----------------------------------------------------------------


class Concept(Item):
    term: Text
    definition: Text
    legal_basis: str | None = None
    key_points: list[Text] = []


class Border(Item):
    """What tells two neighbouring concepts apart."""

    a: Slug
    b: Slug
    distinction: Text
    example: Text | None = None


class ClassLabel(Item):
    """One of the answers a learner may give when classifying a situation."""

    label: Text
    concept: Slug | None = None


# --- indicators --------------------------------------------------------------


class IndicatorCategory(Item):
    title: Text
    description: Text
    order: int


class Indicator(Item):
    category: Slug
    group: Text | None = None
    text: Text
    applies_to: Literal["alle", "mindreaarig"] = "alle"
    points_to: Annotated[list[Purpose], Field(min_length=1)]
    why: Text


# --- myths -------------------------------------------------------------------


class Myth(Item):
    statement: Text
    correction: Text
    why_it_matters: Text
    fact: Text = Field(description="A true statement that counters the myth")


# --- duties ------------------------------------------------------------------


class AllOf(Strict):
    all: Annotated[list["Condition"], Field(min_length=1)]


class AnyOf(Strict):
    any: Annotated[list["Condition"], Field(min_length=1)]


class NotOf(Strict):
    not_: "Condition" = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Condition = Union[Slug, AllOf, AnyOf, NotOf]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Role(Item):
    """Who the learner is when the navigator asks: each role is bound by its own duties."""

    label: Text
    help: Text
    public: bool = Field(description="works for a public authority or does tasks for the public sector")
    order: int
    scenario_words: list[str] = Field(
        [], description="words one of which a scenario's first step uses to tell the learner this role")


class Fact(Item):
    """A yes/no question the duty navigator asks about a situation."""

    question: Text
    help: Text
    roles: list[Slug] = Field([], description="asked only of these roles (empty: of every role)")


class Duty(Item):
    title: Text
    kind: Literal["plikt", "tiltak"]
    legal_basis: str
    who: Text
    roles: Annotated[list[Slug], Field(min_length=1, description="the roles this duty or action binds")]
    applies_when: Condition
    summary: Text
    overrides_confidentiality: bool = False
    confidentiality: Literal["holds", "yields"] | None = Field(
        None, description="confidentiality advice: 'holds' is shown only when no applicable duty overrides "
                          "confidentiality, 'yields' only when one does")
    actions: Annotated[list[Text], Field(min_length=1)]
    contacts: list[Slug] = []
    order: int
    without_delay: bool = Field(False, description="the duty must be met as soon as it applies: in a scenario no "
                                                   "'god' choice may pass it over")


class SituationFact(Strict):
    answer: bool | None = Field(description="the right answer for this situation; null: it depends (not scored)")
    why: Text


class Situation(Item):
    """A concrete situation the navigator starts from: the learner answers its facts and predicts duties."""

    title: Text
    case: Slug | None = None
    text: Text
    facts: Annotated[dict[Slug, SituationFact], Field(min_length=1)]
    order: int


# --- the identification conversation -------------------------------------------

ConversationTopic = Literal["formaal", "gjennomfoering", "unngaa-ord", "mindreaarige", "tolk", "minimum",
                            "formulering", "akutt"]


class ConversationPoint(Item):
    """One teaching point about the identification conversation (KOM Del 5, UDI's card 4.1-4.3)."""

    topic: ConversationTopic
    text: Text
    why: Text | None = None
    order: int


class ExampleQuestion(Item):
    """An open example question, with the follow-up questions that can shed light on exploitation."""

    theme: Text
    question: Text
    follow_ups: list[Text] = []
    order: int


class QuestionOption(Strict):
    id: Slug
    text: Text
    better: bool = False
    feedback: Text


class QuestionChoiceTask(Item):
    """«Velg det beste spørsmålet»: a situation and two to four ways of asking, one of them better."""

    situation: Text
    options: Annotated[list[QuestionOption], Field(min_length=2, max_length=4)]

    @model_validator(mode="after")
    def _one_better(self) -> "QuestionChoiceTask":
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique")
        if sum(o.better for o in self.options) != 1:
            raise ValueError("exactly one option must be marked better: true")
        return self


# --- contacts and rights -----------------------------------------------------


class Contact(Item):
    name: str
    phone: str | None = None
    email: str | None = None
    web: str | None = None
    hours: Text | None = None
    purpose: Text


class Right(Item):
    title: Text
    description: Text
    minors_only: bool = False


# --- cases and scenarios -----------------------------------------------------


Quality = Literal["god", "delvis", "svak"]


class Choice(Strict):
    id: Slug
    label: Text
    feedback: Text
    quality: Quality
    action: Slug | None = Field(None, description="What the learner does (an id from the 'actions' section); "
                                                  "graded by the 'action_rules' table")
    indicators: list[Slug] = []
    duties: list[Slug] = Field([], description="duties the feedback names: the navigator must give them to the "
                                               "scenario's role with the facts of this step")
    next: Slug = Field(description="Id of the next step, or 'debrief'")


class Step(Strict):
    id: Slug
    text: Text
    facts: dict[Slug, bool] = Field({}, description="navigator facts known at this step, over the scenario's facts")
    choices: Annotated[list[Choice], Field(min_length=2)]


class Scenario(Strict):
    start: Slug
    role: Slug | None = Field(None, description="The learner's role (a navigator role id); the first step says it")
    facts: dict[Slug, bool] = Field({}, description="navigator facts known from the first step on (missing: no)")
    steps: Annotated[list[Step], Field(min_length=1)]
    note: Text | None = Field(default=None, description="What in the story is constructed, and what comes from the source")


class ScenarioAction(Item):
    """Something a learner can do in a scenario step (report to barnevernet, tip the police, ...)."""

    label: Text
    description: Text
    roles: list[Slug] = Field([], description="the roles that can take this action in a scenario (empty: every "
                                              "role); a police officer does not «tip the police»")
    fulfils: list[Slug] = Field([], description="duties this action meets (a report to barnevernet meets the "
                                                "meldeplikt and can avert); used for duties that allow no delay")


class ActionRule(Item):
    """How an action is graded for some roles in some situations (the facts of the step)."""

    action: Slug
    roles: list[Slug] = Field([], description="the roles the rule applies to (empty: every role)")
    when: Condition | None = Field(None, description="condition over the step's navigator facts (none: always)")
    when_duty: Slug | None = Field(None, description="applies only when the navigator gives this duty to the role")
    unless_duty: Slug | None = Field(None, description="applies only when the navigator does not give this duty")
    allowed: Annotated[list[Quality], Field(min_length=1)]
    why: Text


class Case(Item):
    title: Text
    kind: Literal["dom", "konstruert"]
    court: str | None = None
    date: str | None = None
    law_applied: str
    law_today: str
    setting: Text
    audience: Annotated[list[Audience], Field(min_length=1)]
    summary: Text
    indicators: list[Slug] = []
    classification: Slug
    duties: list[Slug] = []
    debrief: Text
    scenario: Scenario | None = None

    @model_validator(mode="after")
    def _court_cases_name_their_court(self) -> "Case":
        if self.kind == "dom" and not (self.court and self.date):
            raise ValueError("a court case ('dom') needs both court and date")
        if self.kind == "konstruert" and not self.indicators:
            raise ValueError("a constructed case must link the indicators it shows")
        return self


# --- questions ---------------------------------------------------------------

Pool = Literal["practice", "graded", "pretest", "posttest"]
"""Where an item may be used: module self-checks and refreshers (practice), nbgrader assignments
(graded), the course pre-test and post-test. An item belongs to exactly one pool."""

GIVEAWAY = re.compile(
    r"\b(alle|ingen) (av )?(de )?(ovennevnte|alternativene( over)?|svarene( over)?)\b|\balt det ovenstående\b",
    re.IGNORECASE,
)
"""«All/none of the above»-style options: they reward test-wiseness, not knowledge."""


Level = Literal["anvendelse", "forstaelse", "gjenkalling"]
"""How an item asks (after Bloom): apply to a situation, explain, or recall. Graded and course-test
items state it; docs/ASSESSMENT.md says how to tell them apart."""


class Option(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-H]$")]
    text: Text
    why: Text | None = Field(None, description="Why this option is right, or what is wrong with it")


class Question(Item):
    type: Literal["single", "multiple", "classification", "free_text"]
    topic: Literal["begreper", "indikatorer", "myter", "plikter", "case"]
    objective: Slug = Field(description="Id of the module objective the item tests (modules.yaml)")
    pool: Pool
    prompt: Text
    options: list[Option] = []
    answer: list[str] = []
    explanation: Text
    rubric: list[Text] = []
    points: Annotated[int, Field(ge=1, le=10)] = 1
    tests: Annotated[list[Slug], Field(min_length=1)]
    case: Slug | None = None
    level: Level | None = Field(
        None, description="'anvendelse': a situation where the learner decides what applies or what to do; "
                          "'forstaelse': explain or tell apart; 'gjenkalling': recall a rule or a fact")
    situation: Slug | None = Field(
        None, description="the kind of situation the stem sets (course-test pairs must match), e.g. 'arbeidsplass'")
    pair: Slug | None = Field(
        None, description="course-test items: the id of the parallel pair (one item in each form)")

    @model_validator(mode="after")
    def _answer_fits_type(self) -> "Question":
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option letters must be unique")
        if self.type == "free_text":
            if not self.rubric:
                raise ValueError("a free_text question needs a rubric")
            return self
        if self.type == "classification":
            if self.options or len(self.answer) != 1:
                raise ValueError("a classification question has no options and exactly one answer (a class id)")
            return self
        if not 3 <= len(self.options) <= 5:
            raise ValueError(f"a choice question needs 3 to 5 options, not {len(self.options)}")
        unknown = [a for a in self.answer if a not in ids]
        if unknown:
            raise ValueError(f"answer names options that do not exist: {unknown}")
        if self.type == "single" and len(self.answer) != 1:
            raise ValueError("a single-choice question has exactly one answer")
        if self.type == "multiple" and not self.answer:
            raise ValueError("a multiple-choice question needs at least one right option")
        if len(self.options) - len(set(self.answer)) < 2:
            raise ValueError("a choice question needs at least two wrong options (plausible distractors)")
        missing = [o.id for o in self.options if o.why is None]
        if missing:
            raise ValueError(f"every option needs its own 'why' (missing for {missing})")
        giveaway = [o.id for o in self.options if GIVEAWAY.search(str(o.text))]
        if giveaway:
            raise ValueError(f"«all/none of the above» options give the answer away: {giveaway}")
        return self


# --- modules -----------------------------------------------------------------


class Exercise(Strict):
    kind: Literal["scenario", "spotter", "classifier", "myths", "navigator", "quiz", "question_choice"]
    ref: str = Field(description="Case id, question topic, or '*'")


class Objective(Strict):
    """A learning objective of a module; questions name it so results can be read per objective."""

    id: Slug
    text: Text

    def __str__(self) -> str:
        return self.text.nb


class Module(Item):
    number: int
    title: Text
    notebook: str
    minutes: int
    objectives: Annotated[list[Objective], Field(min_length=1)]
    exercises: list[Exercise] = []


# --- graded assessments (nbgrader) ---------------------------------------------


class Assignment(Item):
    """A graded nbgrader assignment: an ordered selection of bank questions."""

    number: int
    title: Text
    intro: Text
    questions: Annotated[list[Slug], Field(min_length=2)]

    @model_validator(mode="after")
    def _no_repeats(self) -> "Assignment":
        seen = [q for q in self.questions if self.questions.count(q) > 1]
        if seen:
            raise ValueError(f"a question appears more than once: {sorted(set(seen))}")
        return self


# --- course pre-test and post-test ------------------------------------------------


class PassRule(Strict):
    """A minimum share of points on the items of some objectives (e.g. the duties must be right)."""

    label: Text
    objectives: Annotated[list[Slug], Field(min_length=1)]
    min_percent: Annotated[int, Field(ge=0, le=100)]


class CourseTest(Item):
    """The course's pre-test (diagnostic) or post-test (with a pass mark): parallel forms."""

    kind: Literal["pre", "post"]
    title: Text
    intro: Text
    questions: Annotated[list[Slug], Field(min_length=3)]
    pass_mark: Annotated[int, Field(ge=0, le=100)] | None = Field(
        None, description="Percentage of the points needed to pass (post-test only)")
    pass_rules: list[PassRule] = []
    form: Literal["A", "B"] | None = Field(
        None, description="the parallel form this test's questions make up; when both course tests name a form, "
                          "each learner meets the two forms in a random order (counterbalanced, record.course_test)")

    @model_validator(mode="after")
    def _pass_mark_fits_kind(self) -> "CourseTest":
        if self.kind == "post" and self.pass_mark is None:
            raise ValueError("a post-test needs a pass_mark")
        if self.kind == "pre" and self.pass_rules:
            raise ValueError("a pre-test is diagnostic: no pass_rules")
        seen = sorted({q for q in self.questions if self.questions.count(q) > 1})
        if seen:
            raise ValueError(f"a question appears more than once: {seen}")
        return self
