from docket_messaging.service import ServiceSettings


class IntakeSettings(ServiceSettings):
    database_schema: str = "intake"
    http_port: int = 8001
