from pydantic import Field

from docket_service.limits import DEFAULT_MAX_BODY_BYTES
from docket_service.settings import ServiceSettings


class CaseSettings(ServiceSettings):
    database_schema: str = "case"
    http_port: int = 8002
    run_timers: bool = Field(default=True, description="run the deadline timers in the serving process")
    timer_interval_s: float = Field(default=30.0, gt=0, description="how often due deadlines are looked for")
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, gt=0, description="largest request body (413 above)")
    # The quorum of the restricted committee is in the authority's rules of procedure, which were not read: the
    # default is a majority of its six seats (loi 78-17 art 16, as the CNIL states it). Set the authority's own.
    restricted_committee_quorum: int = Field(
        default=4,
        ge=1,
        le=6,
        description=(
            "the fewest members of the restricted committee who may deliberate on a sanction or a reprimand under "
            "the ordinary procedure (the simplified procedure's one member decides alone)"
        ),
    )
