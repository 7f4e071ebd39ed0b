from docket_messaging.service import ServiceSettings


class CaseSettings(ServiceSettings):
    database_schema: str = "case"
    http_port: int = 8002
