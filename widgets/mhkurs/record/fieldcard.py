"""The field card (feltkort): a one-page quick reference for duty in the field, from the bank.

Duties with what triggers them (the duty navigator's own yes/no questions), who they bind, what to
do first, and the numbers to call. Generated from duties.yaml and contacts.yaml, so it says exactly
what the course says.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..bank import models as m


def trigger_text(condition, facts: dict) -> str:
    """A duty's condition in words, built from the navigator's questions."""
    if isinstance(condition, str):
        return f"«{facts[condition].question}»"
    if isinstance(condition, m.AllOf):
        return " og ".join(trigger_text(c, facts) for c in condition.all)
    if isinstance(condition, m.AnyOf):
        return "(" + " eller ".join(trigger_text(c, facts) for c in condition.any) + ")"
    if isinstance(condition, m.NotOf):
        return f"nei til {trigger_text(condition.not_, facts)}"
    raise TypeError(f"not a condition: {condition!r}")


def short_contact(c) -> str:
    """«ROSA (22 33 11 60)»: the contact's name up to its first dash or bracket, with the number."""
    name = c.name.split(" – ")[0].split(" (")[0].split(" / ")[0]
    return f"{name} ({c.phone})" if c.phone else name


@dataclass(frozen=True)
class CardDuty:
    title: str
    kind: str
    legal_basis: str
    who: str
    trigger: str
    first: list[str]
    overrides_confidentiality: bool
    contacts: list[str]


CONFIDENTIALITY = {"holds": ", så lenge ingen plikt som går foran taushetsplikten gjelder",
                   "yields": ", når en plikt som går foran taushetsplikten gjelder"}


def roles(bank) -> list:
    return sorted(bank.all("roles"), key=lambda r: r.order)


def card(bank, role: str | None = None, first_actions: int = 2) -> tuple[list[CardDuty], list]:
    """(duties and actions binding ``role``, in the bank's order; contacts with a phone number, those the
    duties name first). Without a role: every duty (each says whom it binds)."""
    facts = {f.id: f for f in bank.all("facts")}
    duties = []
    for d in sorted(bank.all("duties"), key=lambda d: (d.kind != "plikt", d.order)):
        if role and role not in getattr(d, "roles", [role]):
            continue
        trig = trigger_text(d.applies_when, facts)
        if not isinstance(d.applies_when, m.NotOf):
            trig = "Ja til " + trig
        trig += CONFIDENTIALITY.get(getattr(d, "confidentiality", None), "")
        duties.append(CardDuty(str(d.title), d.kind, d.legal_basis, str(d.who), trig,
                               [str(a) for a in d.actions[:first_actions]], d.overrides_confidentiality,
                               [short_contact(bank.contact(c)) for c in d.contacts]))
    used = {c for d in bank.all("duties") for c in d.contacts if not role or role in getattr(d, "roles", [role])}
    contacts = sorted((c for c in bank.all("contacts") if c.phone), key=lambda c: c.id not in used)
    return duties, contacts


def in_duties(bank, role: str | None = None) -> set[str]:
    """Ids of the contacts some duty (binding ``role``) names."""
    return {c for d in bank.all("duties") for c in d.contacts if not role or role in getattr(d, "roles", [role])}
