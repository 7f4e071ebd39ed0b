"""The remedies a letter states: to a controller, how to appeal the decision it notifies; to a complainant whose
complaint is closed, the judicial remedy the GDPR gives them. Every such letter takes its sentence from here.

Under the code of administrative justice (CJA), the time limit to appeal runs only if the notification states it
and the remedy (R. 421-5). The Conseil d'État hears in first and last instance the appeals against the CNIL's
decisions (R. 311-1 4°); the time limit is two months from notification (R. 421-1), two more for a person who
resides abroad (R. 421-7); an appeal does not suspend the decision unless the court orders it (L. 4).
"""

from __future__ import annotations

from .letters import ENGLISH, CaseFile, Text, Words, say, t

APPEAL_MONTHS = 2  # CJA R. 421-1: two months from the notification of the decision
ABROAD_EXTRA_MONTHS = 2  # CJA R. 421-7: two more months for a person who resides abroad
HOME_COUNTRY = "FR"


def _abroad(case: CaseFile) -> bool | None:
    """Whether the controller resides abroad, or None when its country is not known."""
    if case.controller is None or case.controller.country is None:
        return None
    return case.controller.country != HOME_COUNTRY


def of_controller(case: CaseFile) -> Text:
    """How the controller may appeal the decision the letter notifies: the court, the time limit, no suspension."""
    months = APPEAL_MONTHS + ABROAD_EXTRA_MONTHS
    time_limit = {
        None: t(
            "within two months of its notification to you (code of administrative justice, art R. 421-1), or "
            "within {months} months if you reside abroad (two months more, art R. 421-7)",
            months=months,
        ),
        False: t("within two months of its notification to you (code of administrative justice, art R. 421-1)"),
        True: t(
            "within {months} months of its notification to you, since you reside abroad (two months, code of "
            "administrative justice, art R. 421-1, and two more, art R. 421-7)",
            months=months,
        ),
    }[_abroad(case)]
    return t(
        "You may appeal this decision before the Conseil d'État (code of administrative justice, art R. 311-1 4°) "
        "{time_limit}. An appeal does not suspend the decision (art L. 4): it applies meanwhile.",
        time_limit=time_limit,
    )


def of_complainant() -> Text:
    """The judicial remedy of a complainant whose complaint the authority closed (GDPR Art 77(2), 78(1)-(2))."""
    return t(
        "You have the right to an effective judicial remedy against this decision of the authority (GDPR Art 78(1)): "
        "you may bring it before the Conseil d'État (code of administrative justice, art R. 311-1 4°) within two "
        "months of this letter (art R. 421-1), or four months if you reside abroad (art R. 421-7). GDPR Art 78(2) "
        "also gives you a judicial remedy whenever an authority does not handle a complaint or does not inform you "
        "within three months of its progress or outcome. We tell you of these remedies as GDPR Art 77(2) requires."
    )


def for_controller(case: CaseFile, words: Words = ENGLISH) -> str:
    return say(words, of_controller(case))


def for_complainant(words: Words = ENGLISH) -> str:
    return say(words, of_complainant())
