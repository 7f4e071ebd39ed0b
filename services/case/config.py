from pydantic import Field

from docket_service.limits import DEFAULT_MAX_BODY_BYTES
from docket_service.settings import ServiceSettings


class CaseSettings(ServiceSettings):
    database_schema: str = "case"
    http_port: int = 8002
    run_timers: bool = Field(default=True, description="run the deadline timers in the serving process")
    timer_interval_s: float = Field(default=30.0, gt=0, description="how often due deadlines are looked for")
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, gt=0, description="largest request body (413 above)")
    # The targets each step of a complaint's handling is dated by in the queues, besides GDPR Art 78(2)'s three
    # months. No text sets them: they are the authority's own (the ICO, for one, aims to respond within 30
    # days and to resolve 80% of complaints within 90), so each is a setting.
    target_admissibility_days: int = Field(
        default=30, ge=1, le=3650, description="days from a complaint's receipt to the decision on its admissibility"
    )
    target_handling_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="days from admissibility to how it is handled (the controller asked, joined, transferred, closed)",
    )
    controller_answer_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description=(
            "days a controller is given to answer the authority's letter when the letter names no day (a controller "
            "answers a data subject within a month, GDPR Art 12(3))"
        ),
    )
    target_decision_days: int = Field(
        default=30, ge=1, le=3650, description="days from the controller's answer to the decision on the complaint"
    )
    due_soon_days: int = Field(default=7, ge=0, le=365, description="an item is due soon within this many days")
