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
from .letters import (
    DECISIONS,
    CaseFile,
    Letter,
    Say,
    Text,
    controller_name,
    euros,
    for_complainants,
    for_controller,
    joined,
    order_line,
    reasons,
    span,
    t,
    tn,
)

SIMPLIFIED = t(", taken under the simplified procedure (loi Informatique et Libertés art 22-1)")


# How a letter names a provision of French law a sanction charges.
NATIONAL_NAMES = {"loi-78-17-art-82": t("Article 82 of the loi Informatique et Libertés (cookies and trackers)")}


def _infringed(articles: Sequence[int], orders_not_complied: Sequence[str], national: Sequence[str] = ()) -> Say:
    """ "Articles 6, 12 of the GDPR and the authority's order under Article 58(2) GDPR": what was infringed."""
    named: list[Say] = (
        [t("Articles {articles} of the GDPR", articles=", ".join(map(str, articles)))] if articles else []
    )
    named += [NATIONAL_NAMES.get(provision, provision) for provision in national]
    if orders_not_complied:
        named.append(
            tn(
                "the authority's order under Article {orders} GDPR",
                "the authority's orders under Articles {orders} GDPR",
                len(orders_not_complied),
                orders=joined(orders_not_complied),
            )
        )
    return joined(named)


def _within(cap: FineCap) -> Text:
    where = (
        t("Article 20 III 7° of the loi Informatique et Libertés")
        if cap.paragraph == "loi-78-17-art-20-III-7"
        else t("Article {paragraph} GDPR", paragraph=cap.paragraph)
    )
    return t(
        "within the cap of {cap} of {where} ({fixed} or {percent} % of worldwide annual turnover, whichever is higher)",
        cap=euros(cap.cap_eur),
        where=where,
        fixed=euros(cap.fixed_eur),
        percent=cap.turnover_percent,
    )


def _items(event: SanctionImposed) -> list[Say]:
    """What the sanction imposes, one item each: the fine (and each conduct's), the injunction, the penalty."""
    conducts = event.conducts or ()
    fine = euros(event.fine_eur)
    items: list[Say] = [t("an administrative fine of {fine}, {within}", fine=fine, within=_within(event.cap))]
    if len(conducts) > 1:  # separate conducts, each fined within its own cap (Art 83(3))
        items = [t("an administrative fine of {fine} for {count} separate conducts", fine=fine, count=len(conducts))]
        items += [
            t(
                "{fine} for infringing {infringed}, {within}",
                fine=euros(c.fine_eur),
                infringed=_infringed(c.articles_infringed, c.orders_not_complied, c.national_provisions),
                within=_within(c.cap),
            )
            for c in conducts
        ]
    if event.injunction is not None:
        injunction = event.injunction
        by: object = (
            injunction.deadline
            if injunction.deadline is not None
            else t(
                "the end of {period} from the notification of this decision",
                period=span(injunction.period) if injunction.period else t("the period"),
            )
        )
        items += [t("an injunction to comply by {by}: {order}", by=by, order=order_line(o)) for o in injunction.orders]
        if injunction.daily_penalty_eur:
            items.append(
                t(
                    "a periodic penalty payment of {amount} per day of delay after {by}",
                    amount=euros(injunction.daily_penalty_eur),
                    by=by,
                )
            )
    return items


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
    fine = euros(event.fine_eur)
    to_complainants = for_complainants(
        case,
        "progress",
        t("A sanction was imposed"),
        t(
            "A sanction was imposed on {controller} on {day}: a fine of {fine}.",
            controller=name,
            day=event.decided_on.isoformat(),
            fine=fine,
        ),
        [
            t(
                "on {day} we imposed a sanction on {controller}, including a fine of {fine}, for infringing "
                "{infringed}.",
                day=event.decided_on,
                controller=name,
                fine=fine,
                infringed=infringed,
            )
        ],
    )
    to_controller = for_controller(
        case,
        "sanction_decision",
        t("Sanction decision of {day}", day=event.decided_on),
        t("Sanction decision of {day}: a fine of {fine}.", day=event.decided_on.isoformat(), fine=fine),
        [
            t(
                "the authority finds that you infringed {infringed}. By its decision of {day}{how}, it imposes:",
                infringed=infringed,
                day=event.decided_on,
                how=SIMPLIFIED if event.procedure == "simplified" else "",
            ),
            remedies.of_controller(case),
        ],
        items=_items(event),
    )
    return to_complainants + to_controller


def sanction_notified(event: SanctionNotified, case: CaseFile) -> list[Letter]:
    if event.injunction_deadline is None:
        return []  # the deadline was in the decision itself: nothing new to tell
    return for_controller(
        case,
        "injunction_deadline",
        t("The deadline of the injunction"),
        t(
            "The sanction decision was notified on {day}: comply by {deadline}.",
            day=event.notified_on.isoformat(),
            deadline=event.injunction_deadline.isoformat(),
        ),
        [
            t(
                "the sanction decision was notified to you on {day}; the injunction it contains runs from that day, "
                "so you must comply by {deadline}.",
                day=event.notified_on,
                deadline=event.injunction_deadline,
            )
        ],
    )


def penalty_liquidated(event: PenaltyPaymentLiquidated, case: CaseFile) -> list[Letter]:
    name, amount = controller_name(case), euros(event.amount_eur)
    to_complainants = for_complainants(
        case,
        "progress",
        t("A penalty payment was set"),
        t(
            "A penalty payment of {amount} was set for {controller}'s delay on {day}.",
            amount=amount,
            controller=name,
            day=event.decision_day.isoformat(),
        ),
        [
            t(
                "by its decision of {day}, the authority set the periodic penalty payment owed by {controller} for "
                "its delay in complying at {amount} ({days} days).",
                day=event.decision_day,
                controller=name,
                amount=amount,
                days=event.days_counted,
            )
        ],
    )
    reference = f" ({event.reference})" if event.reference else ""
    at_most = (
        t(", of at most {maximum} (the days of delay at the daily rate)", maximum=euros(event.maximum_eur))
        if event.maximum_eur
        else ""
    )
    why = [reasons(event.reasons)] if event.reasons else []
    return to_complainants + for_controller(
        case,
        "penalty_liquidation",
        t("Liquidation of the periodic penalty payment"),
        t("Penalty payment liquidated at {amount} for {days} days.", amount=amount, days=event.days_counted),
        [
            t(
                "by its decision{reference} of {day}, the authority liquidates the periodic penalty payment at "
                "{amount}{at_most}: {days} days of delay counted from {start} to {end} ({convention}).",
                reference=reference,
                day=event.decision_day,
                amount=amount,
                at_most=at_most,
                days=event.days_counted,
                start=event.period_start,
                end=event.period_end,
                convention=event.convention,
            ),
            *why,
            remedies.of_controller(case),
        ],
    )


def reprimand_issued(event: ReprimandIssued, case: CaseFile) -> list[Letter]:
    name, infringed = controller_name(case), _infringed(event.articles_infringed, ())
    how = SIMPLIFIED if event.procedure == "simplified" else ""
    to_complainants = for_complainants(
        case,
        "progress",
        t("A reprimand was issued"),
        t(
            "A reprimand was issued to {controller} on {day}, without a fine.",
            controller=name,
            day=event.decided_on.isoformat(),
        ),
        [
            t(
                "on {day} we issued a reprimand to {controller} for infringing {infringed}. The reprimand is a "
                "corrective measure of its own (Article 58(2)(b) GDPR); no fine was imposed.",
                day=event.decided_on,
                controller=name,
                infringed=infringed,
            )
        ],
    )
    to_controller = for_controller(
        case,
        "reprimand_decision",
        t("Reprimand of {day}", day=event.decided_on),
        t("Reprimand of {day} under Article 58(2)(b) GDPR, without a fine.", day=event.decided_on.isoformat()),
        [
            t(
                "the authority finds that you infringed {infringed}. By its decision of {day}{how}, it issues you a "
                "reprimand under Article 58(2)(b) of the GDPR, without a fine.",
                infringed=infringed,
                day=event.decided_on,
                how=how,
            ),
            reasons(event.reasons),
            remedies.of_controller(case),
        ],
    )
    return to_complainants + to_controller


# Who decided a publication, as a letter names it.
PUBLISHERS = {
    "bureau": t("the bureau of the authority, at its President's request (loi Informatique et Libertés art 20 II)"),
    "restricted_committee": t("the restricted committee (loi Informatique et Libertés art 22)"),
}


def publication_made(event: PublicationMade, case: CaseFile) -> list[Letter]:
    decision = t("{decision} of {day}", decision=DECISIONS[event.decision], day=event.decision_dated)
    republished = event.republishes is not None
    again = t(" again, as the Conseil d'État reformed it,") if republished else ""
    again_summary = t(" again, as the Conseil d'État reformed it") if republished else ""
    until = (
        t(
            "Your name will be removed from the publication on {day}; we will tell you if the publication is "
            "withdrawn before that day.",
            day=event.anonymised_on,
        )
        if event.anonymised_on is not None
        else t("We will tell you when the publication is withdrawn.")
    )
    to_complainants = for_complainants(
        case,
        "progress",
        t("A decision was made public"),
        t(
            "The authority made its {decision} public{again} on {day}.",
            decision=decision,
            again=again_summary,
            day=event.published_on.isoformat(),
        ),
        [
            t(
                "on {day} the authority made public{again} its {decision} concerning {controller}.",
                day=event.published_on,
                again=again,
                decision=decision,
                controller=controller_name(case),
            )
        ],
    )
    to_controller = for_controller(
        case,
        "publication",
        t("Publication of the {decision}", decision=decision),
        t(
            "The {decision} was made public{again} on {day}.",
            decision=decision,
            again=again_summary,
            day=event.published_on.isoformat(),
        ),
        [
            t(
                "{publisher} made the {decision} public{again} on {day}, under your name.",
                publisher=PUBLISHERS[event.decided_by],
                decision=decision,
                again=again,
                day=event.published_on,
            ),
            until,
            remedies.of_controller(case),
        ],
    )
    return to_complainants + to_controller


def publication_withdrawn(event: PublicationWithdrawn, case: CaseFile) -> list[Letter]:
    decision = DECISIONS[event.decision]
    return for_controller(
        case,
        "publication_withdrawn",
        t("Withdrawal of the publication of the {decision}", decision=decision),
        t(
            "The publication of the {decision} was withdrawn on {day}.",
            decision=decision,
            day=event.withdrawn_on.isoformat(),
        ),
        [
            t(
                "the authority withdrew the publication of its {decision} on {day}; the decision stands, but is no "
                "longer public under your name.",
                decision=decision,
                day=event.withdrawn_on,
            ),
            reasons(event.reasons),
        ],
    )
