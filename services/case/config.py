from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import Field, SecretStr

from docket_contracts.checkpoints import SigningKey, public_key
from docket_service.limits import DEFAULT_MAX_BODY_BYTES
from docket_service.settings import ServiceSettings


class SigningKeyMissing(ValueError):
    """The case service was started to serve without the key it signs its checkpoints with."""


class CaseSettings(ServiceSettings):
    database_schema: str = "case"
    http_port: int = 8002
    run_timers: bool = Field(default=True, description="run the deadline timers in the serving process")
    timer_interval_s: float = Field(default=30.0, gt=0, description="how often due deadlines are looked for")
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, gt=0, description="largest request body (413 above)")
    rebuild_processes: int = Field(
        default=0,
        ge=0,
        description="processes rebuild-projections folds the cases in (1: in its own process alone); 0: one per "
        "core it may run on",
    )
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
    run_checkpoints: bool = Field(
        default=True,
        description="sign and publish checkpoints of the case streams' heads in the serving process (one instance "
        "signs at a time)",
    )
    checkpoint_interval_s: float = Field(
        default=60.0,
        gt=0,
        description="how often the heads of the cases appended to since the last checkpoint are signed and "
        "published on docket.checkpoints: what the witness has not yet seen is at most this old",
    )
    checkpoint_signing_key: SecretStr | None = Field(
        default=None,
        description="base64 of 32 random bytes: the Ed25519 key the case service signs its checkpoints with (keep "
        "it out of the database and its backups); its public key is served at /.well-known/jwks.json; required "
        "to serve",
    )
    checkpoint_retired_keys: str = Field(
        default="",
        description="the public keys of signing keys no longer used (each its JWK's x), comma-separated: still "
        "published, so that the checkpoints they signed still verify",
    )

    def signing_key(self) -> SigningKey:
        if self.checkpoint_signing_key is None:
            raise SigningKeyMissing("the case service signs checkpoints of its record: set CHECKPOINT_SIGNING_KEY")
        return SigningKey(self.checkpoint_signing_key.get_secret_value())

    def checkpoint_keys(self) -> list[Ed25519PublicKey]:
        """The public keys checkpoints are checked with: the signing key's (when set), then the retired ones."""
        signing = [self.signing_key().public] if self.checkpoint_signing_key is not None else []
        return signing + [public_key(x) for x in self.checkpoint_retired_keys.split(",") if x.strip()]
