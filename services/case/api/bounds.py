"""The bounds of what a request may carry, and the field types that state them.

Each command's event must fit in one Kafka message (the broker's message.max.bytes, about 1 MB) with room to
spare, whatever the text: every character counts as 4 bytes of UTF-8 (docket_service.limits.text allows no
control character, which would take 6). The largest event a command can cause is a formal notice or a
sanction's injunction with MAX_ORDERS orders of MAX_ORDER_CHARS: 20 x 2,000 x 4 = 160,000 bytes of text.
In plain ASCII that notice is about 41 KB of JSON, inside the default request body limit (64 KiB).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from docket_contracts.events import GdprArticle, NationalProvision, OrderNotComplied

MAX_ORDERS = 20
MAX_ORDER_CHARS = 2_000
MAX_TEXT_CHARS = 10_000  # a scope, a finding's facts, a closure's reasons
MAX_REFERENCE_CHARS = 100  # a decision's reference: 2020-116C, MED-2021-134, SAN-2022-019
MAX_NAME_CHARS = 200  # a person's name: a rapporteur, a member of the restricted committee
MAX_DOCUMENTS = 50  # the documents of a file a report lists
MAX_FACTORS = 20
MAX_CONDUCTS = 20  # separate conducts in one sanction or estimate: 20 of 99 articles add about 12 KB to the event
MAX_FACTOR_CHARS = 200
# Beyond any undertaking's turnover, and within the integers a JSON reader holds exactly (2^53).
MAX_EUR = 10**15

Articles = Annotated[
    list[GdprArticle], Field(min_length=1, max_length=99, description="GDPR articles, 1 to 99 of them")
]
Amount = Annotated[int, Field(ge=0, le=MAX_EUR, description=f"whole euros, 0 to {MAX_EUR:,}")]
ConductArticles = Annotated[
    list[GdprArticle],
    Field(
        max_length=99,
        description=(
            "GDPR articles the conduct infringed, 0 to 99 of them (41 stands for Art 41(4); 85-91 for Member State law "
            "adopted under them)"
        ),
    ),
]
OrdersNotComplied = Annotated[
    list[OrderNotComplied],
    Field(
        max_length=2,
        description=(
            "orders of the authority not complied with: 58(1) access ordered under its investigative powers not given "
            "(Art 83(5)(e)); 58(2) a corrective order not complied with, which needs a formal notice of the case whose "
            "deadline passed without compliance (Art 83(6))"
        ),
    ),
]
NationalProvisions = Annotated[
    list[NationalProvision],
    Field(
        max_length=1,
        description=(
            "provisions of French law infringed, capped by loi 78-17 art 20 III 7° (EUR 10M or 2 %): loi-78-17-art-82, "
            "cookies and trackers"
        ),
    ),
]
