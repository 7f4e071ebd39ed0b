"""Given events, when a command, then events or a refusal: a decision made public, and its withdrawal."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from docket_contracts.events import (
    CaseClosed,
    PublicationMade,
)
from services.case.domain import (
    Rejected,
    decide,
    next_steps,
)
from tests.unit.case_history import (
    AT_APPEAL,
    AT_EXPIRY,
    AT_NOTICE,
    AT_SANCTION,
    CASE,
    CLOSED_AT_NOTICE,
    COMPLIED,
    FOUND,
    INVESTIGATING,
    LIQUIDATED,
    LIQUIDATION,
    LIQUIDATION_DONE,
    LIQUIDATION_OPENED,
    NOTICE,
    NOTICE_PUBLISHED,
    OPENED,
    PUBLICATION,
    REPRIMAND,
    REPRIMANDED,
    SANCTION,
    SANCTION_PUBLISHED,
    SIMPLIFIED_SANCTION,
    WITHDRAWN,
    close,
    given,
    publish,
    ruled,
    withdraw,
)

# --- publication of a decision, and its withdrawal ---------------------------------------------------------

# The sanction made public again once the court reduced its fine, in the same form as on 17 October 2022.
AGAIN = UUID("00000000-0000-0000-0000-0000000000d2")
SANCTION_REPUBLISHED = SANCTION_PUBLISHED.model_copy(
    update={
        "publication_id": AGAIN,
        "published_on": date(2023, 6, 2),
        "republishes": SANCTION_PUBLISHED.publication_id,
    }
)


def test_the_clearview_formal_notice_was_made_public_on_16_december_2021():
    assert decide(given(*AT_NOTICE), publish()) == [NOTICE_PUBLISHED]
    state = given(*AT_NOTICE, NOTICE_PUBLISHED)
    assert state.status == "formal_notice" and state.publications[0].published_on == date(2021, 12, 16)
    assert "withdraw a publication" in next_steps(state) and "make a decision public" not in next_steps(state)
    assert "make a decision public" in next_steps(given(*AT_NOTICE))


@pytest.mark.parametrize(
    ("history", "decision_id", "kind", "dated"),
    [
        (AT_SANCTION, SANCTION, "sanction", date(2022, 10, 17)),
        ((*AT_EXPIRY, REPRIMANDED), REPRIMAND, "reprimand", date(2022, 10, 17)),
        ((*AT_SANCTION, LIQUIDATED), NOTICE, "formal_notice", date(2021, 11, 26)),  # a notice, later in the case
    ],
)
def test_a_sanction_a_reprimand_or_a_notice_is_made_public_on_or_after_its_day(history, decision_id, kind, dated):
    [made] = decide(given(*history), publish(decision_id, dated))
    assert (made.decision, made.decision_id, made.decision_dated, made.published_on) == (
        kind,
        decision_id,
        dated,
        dated,
    )


def test_the_liquidation_of_clearview_s_penalty_was_made_public_by_the_committee_on_10_may_2023():
    state = given(*AT_SANCTION, *LIQUIDATION_DONE)
    assert "make a decision public" in next_steps(state)
    [made] = decide(state, publish(LIQUIDATION, date(2023, 5, 10), anonymised_on=date(2025, 5, 10)))
    assert made == PublicationMade(
        case_id=CASE,
        publication_id=PUBLICATION,
        decision="liquidation",
        decision_id=LIQUIDATION,
        decision_dated=date(2023, 4, 13),
        published_on=date(2023, 5, 10),
        decided_by="restricted_committee",
        anonymised_on=date(2025, 5, 10),
    )
    publication = given(*AT_SANCTION, *LIQUIDATION_DONE, made).publications[0]
    assert (publication.decided_by, publication.anonymised_on) == ("restricted_committee", date(2025, 5, 10))


def test_a_decision_is_made_public_after_the_case_closed():
    closed = given(*AT_NOTICE, CLOSED_AT_NOTICE)
    assert next_steps(closed) == ("make a decision public",)
    assert decide(closed, publish()) == [NOTICE_PUBLISHED]


def test_a_sanction_the_court_reformed_is_made_public_again_once_in_the_same_form():
    reformed = given(*AT_APPEAL, SANCTION_PUBLISHED, ruled("fine_reduced", 10_000_000))
    assert "make a decision public" in next_steps(reformed)
    [again] = decide(
        reformed, publish(SANCTION, date(2023, 6, 2), anonymised_on=date(2024, 10, 17), publication_id=AGAIN)
    )
    assert again == SANCTION_REPUBLISHED  # once: PUBLICATION_CONFLICTS refuses a third
    # never made public before the ruling: made public once, as reformed, like any decision
    [first] = decide(given(*AT_APPEAL, ruled("fine_reduced", 10_000_000)), publish(SANCTION, date(2023, 6, 2)))
    assert first.republishes is None


def test_a_publication_is_withdrawn_once_even_after_the_case_closed():
    assert decide(given(*AT_NOTICE, NOTICE_PUBLISHED), withdraw()) == [WITHDRAWN]
    closed = given(
        *AT_NOTICE,
        COMPLIED,
        NOTICE_PUBLISHED,
        CaseClosed(case_id=CASE, outcome="complied", reasons="r", closed_on=date(2022, 2, 1)),
    )
    assert next_steps(closed) == ("withdraw a publication",)
    assert decide(closed, withdraw()) == [WITHDRAWN]
    after = given(
        *AT_NOTICE,
        COMPLIED,
        NOTICE_PUBLISHED,
        CaseClosed(case_id=CASE, outcome="complied", reasons="r", closed_on=date(2022, 2, 1)),
        WITHDRAWN,
    )
    assert after.status == "closed" and after.publications[0].withdrawn_on == date(2023, 12, 16)
    assert next_steps(after) == ()
    with pytest.raises(
        Rejected,
        match=r"\(it was withdrawn on 2023-12-16\); allowed next steps: none, the case is "
        r"closed",
    ):
        decide(after, withdraw(date(2024, 1, 1)))


# a publication or a withdrawal where the state does not fit
PUBLICATION_CONFLICTS = [
    (
        (OPENED, INVESTIGATING, FOUND, SIMPLIFIED_SANCTION),
        publish(SANCTION, date(2022, 10, 17)),
        "(the sanction was taken under the simplified procedure, whose decisions Docket does not make public)",
    ),
    ((*AT_NOTICE, NOTICE_PUBLISHED), publish(), "(the formal notice was made public on 2021-12-16)"),
    ((*AT_NOTICE, NOTICE_PUBLISHED, WITHDRAWN), publish(), "(the formal notice was made public on 2021-12-16)"),
    (
        (*AT_NOTICE, CLOSED_AT_NOTICE, NOTICE_PUBLISHED),
        publish(),
        "cannot make a decision public: the case is closed (the formal notice was made public on 2021-12-16)",
    ),
    (
        (*AT_APPEAL, SANCTION_PUBLISHED, ruled("fine_reduced", 10_000_000), SANCTION_REPUBLISHED),
        publish(SANCTION, date(2023, 7, 1), publication_id=uuid4()),
        "(the sanction was made public again on 2023-06-02, as the court reformed it)",
    ),
    (
        (
            *AT_APPEAL,
            ruled("fine_reduced", 10_000_000),
            SANCTION_PUBLISHED.model_copy(update={"published_on": date(2023, 6, 1)}),
        ),
        publish(SANCTION, date(2023, 7, 1)),
        "(the sanction was made public on 2023-06-01)",
    ),
    (
        (*AT_NOTICE, NOTICE_PUBLISHED, WITHDRAWN),
        withdraw(),
        "cannot withdraw a publication: the case is formal notice (it was withdrawn on 2023-12-16)",
    ),
]


# a publication dated from its decision, a withdrawal from the publication
PUBLICATION_BREACHES = [
    (
        AT_NOTICE,
        publish(published_on=date(2021, 11, 25)),
        "published_on",
        "2021-11-25 is before the formal notice was issued (2021-11-26)",
    ),
    (
        AT_SANCTION,
        publish(SANCTION, date(2022, 10, 16)),
        "published_on",
        "2022-10-16 is before the sanction was decided (2022-10-17)",
    ),
    (AT_NOTICE, publish(uuid4()), "decision_id", "the case has no formal notice, sanction, reprimand or liquidation"),
    (
        (*AT_SANCTION, LIQUIDATION_OPENED),
        publish(LIQUIDATION, date(2023, 5, 10)),
        "decision_id",
        "the case has no formal notice, sanction, reprimand or liquidation",  # not decided yet
    ),
    (
        AT_NOTICE,
        publish(anonymised_on=date(2021, 12, 16)),
        "anonymised_on",
        "2021-12-16 is not after the day it is made public (2021-12-16): a publication sets the day the controller's "
        "name is removed (Conseil d'État, 28 September 2016, n° 389448)",
    ),
    (
        AT_NOTICE,
        publish(decided_by="restricted_committee"),
        "decided_by",
        "a formal notice is made public by the bureau, at the President's request (loi 78-17 art 20 II)",
    ),
    (
        AT_SANCTION,
        publish(SANCTION, date(2022, 10, 20), decided_by="bureau"),
        "decided_by",
        "a sanction is made public by the restricted committee, whose measure it is (loi 78-17 art 22)",
    ),
    (
        (*AT_APPEAL, SANCTION_PUBLISHED, ruled("fine_reduced", 10_000_000)),
        publish(SANCTION, date(2023, 5, 31), anonymised_on=date(2024, 10, 17), publication_id=AGAIN),
        "published_on",
        "2023-05-31 is before the court reformed the sanction (2023-06-01)",
    ),
    (
        (*AT_APPEAL, SANCTION_PUBLISHED, ruled("fine_reduced", 10_000_000)),
        publish(SANCTION, date(2023, 6, 2), publication_id=AGAIN),
        "anonymised_on",
        "a reformed decision is made public in the same form as before: the name removed on 2024-10-17",
    ),
    (
        (*AT_NOTICE, NOTICE_PUBLISHED),
        withdraw(decided_by="restricted_committee"),
        "decided_by",
        "the publication was decided by the bureau, at the President's request (loi 78-17 art 20 II)",
    ),
    (
        (*AT_NOTICE, NOTICE_PUBLISHED),
        withdraw(date(2021, 12, 15)),
        "withdrawn_on",
        "2021-12-15 is before the formal notice was made public (2021-12-16)",
    ),
    ((*AT_NOTICE, NOTICE_PUBLISHED), withdraw(publication_id=uuid4()), "publication_id", "the case has no publication"),
    (
        (*AT_NOTICE, NOTICE_PUBLISHED),
        close("dismissed", closed_on=date(2021, 12, 15)),
        "closed_on",
        "2021-12-15 is before the formal notice was made public (2021-12-16)",
    ),
]
