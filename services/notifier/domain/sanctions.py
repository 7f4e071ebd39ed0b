"""The letters of a sanction (GDPR Art 83 fines, injunctions and periodic penalty payments) and a reprimand
(Art 58(2)(b)), and of the publication of a decision."""

from __future__ import annotations

from collections.abc import Sequence

from docket_contracts.events import (
    FineCap,
    PenaltyPaymentLiquidated,
    PublicationMade,
    PublicationWithdrawn,
    ReprimandIssued,
    SanctionImposed,
    SanctionNotified,
)

from . import remedies
from .letters import CaseFile, Letter, controller_name, euros, for_complainants, for_controller, long_date, order_line

SIMPLIFIED = ", taken under the simplified procedure (loi Informatique et Libertés art 22-1)"


# How a letter names a provision of French law a sanction charges.
NATIONAL_NAMES = {"loi-78-17-art-82": "Article 82 of the loi Informatique et Libertés (cookies and trackers)"}


def _infringed(articles: Sequence[int], orders_not_complied: Sequence[str], national: Sequence[str] = ()) -> str:
    """ "Articles 6, 12 of the GDPR and the authority's order under Article 58(2) GDPR": what was infringed."""
    named = [f"Articles {', '.join(map(str, articles))} of the GDPR"] if articles else []
    named += [NATIONAL_NAMES.get(provision, provision) for provision in national]
    if orders_not_complied:
        plural = "s under Articles" if len(orders_not_complied) > 1 else " under Article"
        named.append(f"the authority's order{plural} {' and '.join(orders_not_complied)} GDPR")
    return " and ".join(named)


def _within(cap: FineCap) -> str:
    where = (
        "Article 20 III 7° of the loi Informatique et Libertés"
        if cap.paragraph == "loi-78-17-art-20-III-7"
        else f"Article {cap.paragraph} GDPR"
    )
    return (
        f"within the cap of {euros(cap.cap_eur)} of {where} ({euros(cap.fixed_eur)} or "
        f"{cap.turnover_percent} % of worldwide annual turnover, whichever is higher)"
    )


def sanction_imposed(event: SanctionImposed, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    conducts = event.conducts or ()
    infringed = (
        _infringed(
            sorted({a for c in conducts for a in c.articles_infringed}),
            sorted({o for c in conducts for o in c.orders_not_complied}),
            sorted({n for c in conducts for n in c.national_provisions}),
        )
        if conducts
        else _infringed(event.articles_infringed, (), event.national_provisions)
    )
    items = [f"an administrative fine of {euros(event.fine_eur)}, {_within(event.cap)}"]
    if len(conducts) > 1:  # separate conducts, each fined within its own cap (Art 83(3))
        items = [f"an administrative fine of {euros(event.fine_eur)} for {len(conducts)} separate conducts"] + [
            f"{euros(c.fine_eur)} for infringing "
            f"{_infringed(c.articles_infringed, c.orders_not_complied, c.national_provisions)}, "
            f"{_within(c.cap)}"
            for c in conducts
        ]
    if event.injunction is not None:
        injunction = event.injunction
        by = (
            long_date(injunction.deadline)
            if injunction.deadline is not None
            else f"the end of {injunction.period.words if injunction.period else 'the period'} from the notification "
            f"of this decision"
        )
        items += [f"an injunction to comply by {by}: {order_line(order)}" for order in injunction.orders]
        if injunction.daily_penalty_eur:
            items.append(
                f"a periodic penalty payment of {euros(injunction.daily_penalty_eur)} per day of delay after {by}"
            )
    to_complainants = for_complainants(
        case,
        "progress",
        "A sanction was imposed",
        f"A sanction was imposed on {name} on {event.decided_on.isoformat()}: a fine of {euros(event.fine_eur)}.",
        [
            f"on {long_date(event.decided_on)} we imposed a sanction on {name}, including a fine of "
            f"{euros(event.fine_eur)}, for infringing {infringed}."
        ],
    )
    to_controller = for_controller(
        case,
        "sanction_decision",
        f"Sanction decision of {long_date(event.decided_on)}",
        f"Sanction decision of {event.decided_on.isoformat()}: a fine of {euros(event.fine_eur)}.",
        [
            f"the authority finds that you infringed {infringed}. By its decision of {long_date(event.decided_on)}"
            f"{SIMPLIFIED if event.procedure == 'simplified' else ''}, it imposes:",
            remedies.for_controller(case),
        ],
        items=items,
    )
    return to_complainants + to_controller


def sanction_notified(event: SanctionNotified, case: CaseFile) -> list[Letter]:
    if event.injunction_deadline is None:
        return []  # the deadline was in the decision itself: nothing new to tell
    return for_controller(
        case,
        "injunction_deadline",
        "The deadline of the injunction",
        f"The sanction decision was notified on {event.notified_on.isoformat()}: comply by "
        f"{event.injunction_deadline.isoformat()}.",
        [
            f"the sanction decision was notified to you on {long_date(event.notified_on)}; the injunction it "
            f"contains runs from that day, so you must comply by {long_date(event.injunction_deadline)}."
        ],
    )


def penalty_liquidated(event: PenaltyPaymentLiquidated, case: CaseFile) -> list[Letter]:
    to_complainants = for_complainants(
        case,
        "progress",
        "A penalty payment was set",
        f"A penalty payment of {euros(event.amount_eur)} was set for {controller_name(case)}'s delay on "
        f"{event.decision_day.isoformat()}.",
        [
            f"by its decision of {long_date(event.decision_day)}, the authority set the periodic penalty payment "
            f"owed by {controller_name(case)} for its delay in complying at {euros(event.amount_eur)} "
            f"({event.days_counted} days)."
        ],
    )
    reference = f" ({event.reference})" if event.reference else ""
    at_most = (
        f", of at most {euros(event.maximum_eur)} (the days of delay at the daily rate)" if event.maximum_eur else ""
    )
    reasons = [f"Reasons: {event.reasons}"] if event.reasons else []
    return to_complainants + for_controller(
        case,
        "penalty_liquidation",
        "Liquidation of the periodic penalty payment",
        f"Penalty payment liquidated at {euros(event.amount_eur)} for {event.days_counted} days.",
        [
            f"by its decision{reference} of {long_date(event.decision_day)}, the authority liquidates the periodic "
            f"penalty payment at {euros(event.amount_eur)}{at_most}: {event.days_counted} days "
            f"of delay counted from {long_date(event.period_start)} to {long_date(event.period_end)} "
            f"({event.convention}).",
            *reasons,
            remedies.for_controller(case),
        ],
    )


def reprimand_issued(event: ReprimandIssued, case: CaseFile) -> list[Letter]:
    name, infringed = controller_name(case), _infringed(event.articles_infringed, ())
    how = SIMPLIFIED if event.procedure == "simplified" else ""
    to_complainants = for_complainants(
        case,
        "progress",
        "A reprimand was issued",
        f"A reprimand was issued to {name} on {event.decided_on.isoformat()}, without a fine.",
        [
            f"on {long_date(event.decided_on)} we issued a reprimand to {name} for infringing {infringed}. "
            f"The reprimand is a corrective measure of its own (Article 58(2)(b) GDPR); no fine was imposed."
        ],
    )
    to_controller = for_controller(
        case,
        "reprimand_decision",
        f"Reprimand of {long_date(event.decided_on)}",
        f"Reprimand of {event.decided_on.isoformat()} under Article 58(2)(b) GDPR, without a fine.",
        [
            f"the authority finds that you infringed {infringed}. By its decision of {long_date(event.decided_on)}"
            f"{how}, it issues you a reprimand under Article 58(2)(b) of the GDPR, without a fine.",
            f"Reasons: {event.reasons}",
            remedies.for_controller(case),
        ],
    )
    return to_complainants + to_controller


# Who decided a publication, as a letter names it.
PUBLISHERS = {
    "bureau": "the bureau of the authority, at its President's request (loi Informatique et Libertés art 20 II)",
    "restricted_committee": "the restricted committee (loi Informatique et Libertés art 22)",
}


def _published(decision: str) -> str:
    return "liquidation of the penalty payment" if decision == "liquidation" else decision.replace("_", " ")


def publication_made(event: PublicationMade, case: CaseFile) -> list[Letter]:
    decision = f"{_published(event.decision)} of {long_date(event.decision_dated)}"
    again = " again, as the Conseil d'État reformed it," if event.republishes is not None else ""
    until = (
        f"Your name will be removed from the publication on {long_date(event.anonymised_on)}; we will tell you if "
        f"the publication is withdrawn before that day."
        if event.anonymised_on is not None
        else "We will tell you when the publication is withdrawn."
    )
    to_complainants = for_complainants(
        case,
        "progress",
        "A decision was made public",
        f"The authority made its {decision} public{again.rstrip(',')} on {event.published_on.isoformat()}.",
        [
            f"on {long_date(event.published_on)} the authority made public{again} its {decision} concerning "
            f"{controller_name(case)}."
        ],
    )
    to_controller = for_controller(
        case,
        "publication",
        f"Publication of the {decision}",
        f"The {decision} was made public{again.rstrip(',')} on {event.published_on.isoformat()}.",
        [
            f"{PUBLISHERS[event.decided_by]} made the {decision} public{again} on {long_date(event.published_on)}, "
            f"under your name.",
            until,
            remedies.for_controller(case),
        ],
    )
    return to_complainants + to_controller


def publication_withdrawn(event: PublicationWithdrawn, case: CaseFile) -> list[Letter]:
    decision = _published(event.decision)
    return for_controller(
        case,
        "publication_withdrawn",
        f"Withdrawal of the publication of the {decision}",
        f"The publication of the {decision} was withdrawn on {event.withdrawn_on.isoformat()}.",
        [
            f"the authority withdrew the publication of its {decision} on {long_date(event.withdrawn_on)}; the "
            f"decision stands, but is no longer public under your name.",
            f"Reasons: {event.reasons}",
        ],
    )
