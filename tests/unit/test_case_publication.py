"""Given events, when a command, then events or a refusal: a decision made public, and its withdrawal."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from docket_contracts.events import (
    CaseClosed,
)
from services.case.domain import (
    Rejected,
    decide,
    next_steps,
)
from tests.unit.case_history import (
    AT_EXPIRY,
    AT_NOTICE,
    AT_SANCTION,
    CASE,
    CLOSED_AT_NOTICE,
    COMPLIED,
    FOUND,
    INVESTIGATING,
    LIQUIDATED,
    NOTICE,
    NOTICE_PUBLISHED,
    OPENED,
    REPRIMAND,
    REPRIMANDED,
    SANCTION,
    SIMPLIFIED_SANCTION,
    WITHDRAWN,
    close,
    given,
    publish,
    withdraw,
)

# --- publication of a decision, and its withdrawal ---------------------------------------------------------


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
        "(the sanction was taken under the simplified procedure, whose decisions are not made public (loi "
        "Informatique et Libertés art 22-1))",
    ),
    ((*AT_NOTICE, NOTICE_PUBLISHED), publish(), "(the formal notice was made public on 2021-12-16)"),
    ((*AT_NOTICE, NOTICE_PUBLISHED, WITHDRAWN), publish(), "(the formal notice was made public on 2021-12-16)"),
    ((*AT_NOTICE, CLOSED_AT_NOTICE), publish(), "cannot make a decision public: the case is closed"),
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
    (AT_NOTICE, publish(uuid4()), "decision_id", "the case has no formal notice, sanction or reprimand"),
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
