"""The restricted committee's decisions, each reached by its deliberation at the end of its procedure
(proceedings.py): a sanction (a fine for each conduct within its cap, fines.py, and perhaps an injunction), under
the ordinary or the simplified procedure; and a reprimand."""

from __future__ import annotations

from docket_contracts.errors import Invalid
from docket_contracts.events import ConductFined, Payload, Procedure, ReprimandIssued, SanctionImposed

from . import fines
from .commands import Conduct, ImposeSanction, IssueReprimand
from .injunctions import penalty
from .proceedings import deliberate
from .state import CaseState


def issue_reprimand(state: CaseState, command: IssueReprimand) -> list[Payload]:
    """A reprimand of the restricted committee, reached by its deliberation (proceedings.deliberate)."""
    proceedings, deliberated = deliberate(
        state, "issue a reprimand", command.decided_on, command.deliberation, "reprimand", command.reprimand_id
    )
    assert state.case_id is not None
    return [
        deliberated,
        ReprimandIssued(
            case_id=state.case_id,
            reprimand_id=command.reprimand_id,
            decided_on=command.decided_on,
            articles_infringed=command.articles,
            reasons=command.reasons,
            procedure=proceedings.procedure,
        ),
    ]


def impose(state: CaseState, command: ImposeSanction) -> list[Payload]:
    """A sanction of the restricted committee, and perhaps its injunction, reached by its deliberation
    (proceedings.deliberate), each conduct's fine within its cap, and within the simplified procedure's."""
    proceedings, deliberated = deliberate(
        state, "impose a sanction", command.decided_on, command.deliberation, "sanction", command.sanction_id
    )
    assert state.case_id is not None
    _within_the_procedure(command, proceedings.procedure)
    fined: list[ConductFined] = []
    for field_prefix, conduct in _conducts(command):
        fined.append(_fine(state, field_prefix, conduct, command.turnover_eur, fined))
    gravest = max((c.cap for c in fined), key=lambda limit: (limit.cap_eur, fines.GRAVITY.index(limit.paragraph)))
    articles = {a for c in fined for a in c.articles_infringed} | (
        {58} if any(c.orders_not_complied for c in fined) else set()
    )
    national = sorted({n for c in fined for n in c.national_provisions})
    injunction = command.injunction
    events: list[Payload] = [
        deliberated,
        SanctionImposed(
            case_id=state.case_id,
            sanction_id=command.sanction_id,
            decided_on=command.decided_on,
            fine_eur=command.fine_eur,
            articles_infringed=tuple(sorted(articles)),
            national_provisions=tuple(national),
            cap=gravest,
            injunction=injunction,
            conducts=tuple(fined),
            procedure=proceedings.procedure,
        ),
    ]
    if injunction is not None:
        if injunction.deadline is not None and injunction.deadline <= command.decided_on:
            raise Invalid(
                "injunction.deadline",
                f"{injunction.deadline} is not after the day the sanction is decided ({command.decided_on})",
            )
        if injunction.daily_penalty_eur > fines.MAX_DAILY_PENALTY_EUR:
            raise Invalid(
                "injunction.daily_penalty_eur",
                f"EUR {injunction.daily_penalty_eur:,} a day exceeds the cap of "
                f"EUR {fines.MAX_DAILY_PENALTY_EUR:,} a day of delay",
            )
        if injunction.daily_penalty_eur and injunction.deadline is not None:
            # A deadline that runs from notification: the penalty is imposed with the notification.
            events.append(penalty(state, command.sanction_id, injunction, injunction.deadline))
    return events


def _within_the_procedure(command: ImposeSanction, procedure: Procedure) -> None:
    """The simplified procedure's ceilings (loi Informatique et Libertés art 22-1); a sanction beyond them is taken
    under the ordinary procedure, whose ceilings are the Art 83 caps and EUR 100,000 a day."""
    if procedure != "simplified":
        return
    law = "of the simplified procedure (loi Informatique et Libertés art 22-1); the ordinary procedure decides more"
    if command.fine_eur > fines.SIMPLIFIED_MAX_FINE_EUR:
        raise Invalid(
            "fine_eur", f"EUR {command.fine_eur:,} exceeds the cap of EUR {fines.SIMPLIFIED_MAX_FINE_EUR:,} {law}"
        )
    daily = command.injunction.daily_penalty_eur if command.injunction else 0
    if daily > fines.SIMPLIFIED_MAX_DAILY_PENALTY_EUR:
        raise Invalid(
            "injunction.daily_penalty_eur",
            f"EUR {daily:,} a day exceeds the cap of EUR {fines.SIMPLIFIED_MAX_DAILY_PENALTY_EUR:,} a day {law}",
        )


def _conducts(command: ImposeSanction) -> list[tuple[str, Conduct]]:
    """The conducts a sanction fines, each with the prefix that names its fields in a refusal: the one conduct the
    command's own fields describe, or the several of `conducts`, whose fines must add up to the fine."""
    if not command.conducts:
        return [("", Conduct(command.articles, command.fine_eur, command.orders_not_complied, command.national))]
    if command.articles or command.orders_not_complied or command.national:
        raise Invalid(
            "conducts",
            "name what each conduct infringed in conducts, or what the one conduct infringed in "
            "articles_infringed, orders_not_complied and national_provisions, not both",
        )
    total = sum(c.fine_eur for c in command.conducts)
    if total != command.fine_eur:
        raise Invalid("fine_eur", f"EUR {command.fine_eur:,} is not the sum of the conducts' fines (EUR {total:,})")
    return [(f"conducts.{n}.", conduct) for n, conduct in enumerate(command.conducts)]


def _fine(
    state: CaseState, field_prefix: str, conduct: Conduct, turnover_eur: int | None, fined: list[ConductFined]
) -> ConductFined:
    """One conduct's fine within the cap of its gravest infringement (GDPR Art 83(3); loi 78-17 art 20 III 7° for a
    provision of French law). Non-compliance with an order is
    charged only where the case holds one: a formal notice (Art 58(2)) whose deadline passed without compliance;
    and once, however many conducts the sanction fines."""
    orders = tuple(sorted(set(conduct.orders_not_complied)))
    if "58(2)" in orders and not any(notice.status == "expired" for notice in state.notices):
        raise Invalid(
            f"{field_prefix}orders_not_complied",
            "no order under Art 58(2) stands unheeded: the case has no formal notice whose deadline passed "
            "without compliance",
        )
    for order in orders:
        if any(order in earlier.orders_not_complied for earlier in fined):
            raise Invalid(
                f"{field_prefix}orders_not_complied",
                f"non-compliance with the order under Art {order} is already charged with another conduct",
            )
    try:
        limit = fines.cap(conduct.articles, turnover_eur, orders, conduct.national)
    except fines.NotFineable as exc:
        raise Invalid(f"{field_prefix}articles_infringed", str(exc)) from None
    if conduct.fine_eur > limit.cap_eur:
        raise Invalid(
            f"{field_prefix}fine_eur", f"EUR {conduct.fine_eur:,} exceeds the cap of {fines.explain_cap(limit)}"
        )
    return ConductFined(
        articles_infringed=tuple(sorted(set(conduct.articles))),
        orders_not_complied=orders,
        national_provisions=tuple(sorted(set(conduct.national))),
        fine_eur=conduct.fine_eur,
        cap=limit,
    )
