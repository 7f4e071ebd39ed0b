from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from docket_contracts.checkpoints import SigningKey, public_key
from docket_contracts.cooperation import AuthorityId
from docket_contracts.events import CountryCode
from docket_messaging.backoff import RetrySchedule
from docket_service.limits import DEFAULT_MAX_BODY_BYTES
from docket_service.settings import ServiceSettings


class CooperationMisconfigured(ValueError):
    """The case service was given a cooperation directory without a key to sign with, or a directory that names an
    authority AUTHORITIES does not, or in another Member State."""


class Authority(BaseModel):
    """A supervisory authority of the directory: the stable id cooperation steps name it by (its Member State, then
    its own short name), its name and its Member State (ISO 3166-1 alpha-2)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: AuthorityId
    name: str = Field(min_length=1, max_length=200)
    member_state: CountryCode


# The national authorities of the EU and EEA States under the GDPR (one each; a State with regional authorities, as
# Germany's Länder, adds them to its setting). Another authority's installation is reached through this directory.
AUTHORITIES = (
    Authority(id="AT-DSB", name="Datenschutzbehörde", member_state="AT"),
    Authority(
        id="BE-APD", name="Autorité de protection des données / Gegevensbeschermingsautoriteit", member_state="BE"
    ),
    Authority(id="BG-CPDP", name="Commission for Personal Data Protection", member_state="BG"),
    Authority(id="CY-CPDP", name="Commissioner for Personal Data Protection", member_state="CY"),
    Authority(id="CZ-UOOU", name="Úřad pro ochranu osobních údajů", member_state="CZ"),
    Authority(
        id="DE-BFDI", name="Bundesbeauftragte für den Datenschutz und die Informationsfreiheit", member_state="DE"
    ),
    Authority(id="DK-DT", name="Datatilsynet", member_state="DK"),
    Authority(id="EE-AKI", name="Andmekaitse Inspektsioon", member_state="EE"),
    Authority(id="ES-AEPD", name="Agencia Española de Protección de Datos", member_state="ES"),
    Authority(id="FI-TSV", name="Tietosuojavaltuutetun toimisto", member_state="FI"),
    Authority(id="FR-CNIL", name="Commission nationale de l'informatique et des libertés", member_state="FR"),
    Authority(id="GR-HDPA", name="Hellenic Data Protection Authority", member_state="GR"),
    Authority(id="HR-AZOP", name="Agencija za zaštitu osobnih podataka", member_state="HR"),
    Authority(id="HU-NAIH", name="Nemzeti Adatvédelmi és Információszabadság Hatóság", member_state="HU"),
    Authority(id="IE-DPC", name="Data Protection Commission", member_state="IE"),
    Authority(id="IS-PV", name="Persónuvernd", member_state="IS"),
    Authority(id="IT-GPDP", name="Garante per la protezione dei dati personali", member_state="IT"),
    Authority(id="LI-DSS", name="Datenschutzstelle", member_state="LI"),
    Authority(id="LT-VDAI", name="Valstybinė duomenų apsaugos inspekcija", member_state="LT"),
    Authority(id="LU-CNPD", name="Commission nationale pour la protection des données", member_state="LU"),
    Authority(id="LV-DVI", name="Datu valsts inspekcija", member_state="LV"),
    Authority(id="MT-IDPC", name="Information and Data Protection Commissioner", member_state="MT"),
    Authority(id="NL-AP", name="Autoriteit Persoonsgegevens", member_state="NL"),
    Authority(id="NO-DT", name="Datatilsynet", member_state="NO"),
    Authority(id="PL-UODO", name="Urząd Ochrony Danych Osobowych", member_state="PL"),
    Authority(id="PT-CNPD", name="Comissão Nacional de Proteção de Dados", member_state="PT"),
    Authority(
        id="RO-ANSPDCP",
        name="Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal",
        member_state="RO",
    ),
    Authority(id="SE-IMY", name="Integritetsskyddsmyndigheten", member_state="SE"),
    Authority(id="SI-IP", name="Informacijski pooblaščenec", member_state="SI"),
    Authority(id="SK-UOOU", name="Úrad na ochranu osobných údajov", member_state="SK"),
)


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
    authority_id: AuthorityId = Field(
        default="FR-CNIL",
        description="this authority's id in the directory of authorities (AUTHORITIES): the authority of the steps "
        "it takes, and the sender of its cooperation messages",
    )
    authorities: tuple[Authority, ...] = Field(
        default=AUTHORITIES,
        description="the directory of supervisory authorities cooperation steps may name, as JSON: a list of {id, "
        "name, member_state}; the Board (EU-EDPB) is always known",
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

    # The cooperation exchange with other authorities' installations (docket_exchange; docs/operations.md,
    # "Cooperation with other authorities"): this authority is AUTHORITY_ID there too. Off while
    # COOPERATION_DIRECTORY is unset.
    cooperation_directory: str | None = Field(
        default=None,
        description="the JSON file of the authorities messages are exchanged with (id, name, Member State, inbox "
        "and JWKS URLs), each an authority of AUTHORITIES; a message from an authority not in it is refused, and a "
        "step for one not in it is recorded as not sent; unset: no cooperation messages are exchanged",
    )
    cooperation_signing_key: SecretStr | None = Field(
        default=None,
        description="base64 of 32 random bytes: the Ed25519 key cooperation messages are signed with (not the "
        "checkpoints' key); its public key is served at /.well-known/jwks.json; required with "
        "COOPERATION_DIRECTORY",
    )
    cooperation_retired_keys: str = Field(
        default="",
        description="the public keys (each its JWK's x) of cooperation signing keys no longer used, "
        "comma-separated: still published, so that messages they signed still verify",
    )
    cooperation_ca_file: str | None = Field(
        default=None,
        description="the CA certificates (PEM) the peers' HTTPS certificates are checked against; unset: the system's",
    )
    cooperation_timeout_s: float = Field(
        default=10.0, gt=0, description="the most a message's POST, or a fetch of a peer's keys, may take"
    )
    cooperation_token_lifetime_s: float = Field(
        default=60.0, gt=0, le=600, description="how long a signed message is valid after it is signed (exp)"
    )
    cooperation_leeway_s: float = Field(
        default=30.0, ge=0, le=300, description="clock skew tolerated between authorities on a message's iat and exp"
    )
    cooperation_keys_refresh_s: float = Field(
        default=10.0,
        gt=0,
        description="a peer's keys are fetched again on a message naming a key not seen yet, at most this often",
    )
    run_cooperation_deliveries: bool = Field(
        default=True, description="deliver the cooperation outbox in the serving process (safe on every replica)"
    )
    cooperation_delivery_interval_s: float = Field(
        default=1.0, gt=0, description="how often due cooperation messages are looked for"
    )
    cooperation_retry_max_attempts: int = Field(
        default=24, ge=1, description="attempts to deliver a cooperation message before it is given up"
    )
    cooperation_retry_base_delay_s: float = Field(
        default=10.0,
        gt=0,
        description="the wait after a cooperation message's first failed attempt, doubled after each",
    )
    cooperation_retry_max_delay_s: float = Field(
        default=3600.0, gt=0, description="the longest wait between two attempts to deliver a cooperation message"
    )

    @model_validator(mode="after")
    def _own_authority_in_the_directory(self) -> "CaseSettings":
        if self.authority_id not in {a.id for a in self.authorities}:
            raise ValueError(f"AUTHORITY_ID {self.authority_id} is not in AUTHORITIES")
        return self

    def directory(self) -> frozenset[str]:
        """The ids of the authorities a cooperation step may name."""
        return frozenset(a.id for a in self.authorities)

    def signing_key(self) -> SigningKey:
        if self.checkpoint_signing_key is None:
            raise SigningKeyMissing("the case service signs checkpoints of its record: set CHECKPOINT_SIGNING_KEY")
        return SigningKey(self.checkpoint_signing_key.get_secret_value())

    def checkpoint_keys(self) -> list[Ed25519PublicKey]:
        """The public keys checkpoints are checked with: the signing key's (when set), then the retired ones."""
        signing = [self.signing_key().public] if self.checkpoint_signing_key is not None else []
        return signing + [public_key(x) for x in self.checkpoint_retired_keys.split(",") if x.strip()]

    def cooperation_configured(self) -> bool:
        """Whether cooperation messages are exchanged; CooperationMisconfigured if half of what it needs is set."""
        if not self.cooperation_directory:  # unset, or empty as a ConfigMap leaves it
            return False
        if not self.cooperation_signing_key or not self.cooperation_signing_key.get_secret_value():
            raise CooperationMisconfigured("COOPERATION_DIRECTORY is set: set COOPERATION_SIGNING_KEY too")
        return True

    def retry_schedule(self) -> RetrySchedule:
        return RetrySchedule(
            self.cooperation_retry_max_attempts, self.cooperation_retry_base_delay_s, self.cooperation_retry_max_delay_s
        )
