from pydantic import Field

from docket_contracts.cooperation import AuthorityId
from docket_contracts.events import Language
from docket_privacy.settings import KeystoreSettings
from docket_service.settings import ServiceSettings

from .domain import EvidenceQuota


class IntakeSettings(ServiceSettings, KeystoreSettings):
    database_schema: str = "intake"
    authority_id: AuthorityId = Field(
        default="FR-CNIL",
        description="this authority's id, as the case service's AUTHORITY_ID: its Member State (the first two "
        "letters) tells a complaint against a controller established in another EEA State, presumed cross-border",
    )
    http_port: int = 8001
    max_body_bytes: int = Field(default=64 * 1024, gt=0, description="largest request body but evidence uploads")
    evidence_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0, description="largest evidence file")
    evidence_max_files: int = Field(default=20, ge=1, description="evidence files a complaint may have")
    evidence_max_total_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0, description="bytes of evidence a complaint may have in all"
    )
    evidence_concurrent_uploads: int = Field(
        default=4,
        ge=1,
        description=(
            "evidence uploads an instance takes at once (each holds its file, up to EVIDENCE_MAX_BYTES, and the "
            "file sealed in memory); one more is answered 503 with Retry-After"
        ),
    )
    evidence_types: frozenset[str] = Field(
        default=frozenset({"application/pdf", "image/jpeg", "image/png", "text/plain"}),
        description='the media types an evidence file may have, as a JSON list (["application/pdf", ...])',
    )
    rate_limit_per_minute: float = Field(
        default=30, gt=0, description="public requests a minute per client, counted across instances"
    )
    rate_limit_burst: int = Field(default=10, ge=1, description="public requests a client may make at once")
    received_on_max_age_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description=(
            "how many days back a receipt date given at the public door may go; staff record older paper "
            "complaints with their true date (POST /paper-complaints)"
        ),
    )
    default_language: Language = Field(
        default="fr",
        description="the language a complainant is written to in when their submission names none (fr or en)",
    )

    @property
    def evidence_quota(self) -> EvidenceQuota:
        return EvidenceQuota(self.evidence_max_files, self.evidence_max_total_bytes)

    @property
    def member_state(self) -> str:
        return self.authority_id[:2]
