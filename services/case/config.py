from pydantic import Field

from docket_service.limits import DEFAULT_MAX_BODY_BYTES
from docket_service.settings import ServiceSettings


class CaseSettings(ServiceSettings):
    database_schema: str = "case"
    http_port: int = 8002
    run_timers: bool = Field(default=True, description="run the deadline timers in the serving process")
    timer_interval_s: float = Field(default=30.0, gt=0, description="how often due deadlines are looked for")
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, gt=0, description="largest request body (413 above)")
