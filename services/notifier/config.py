from docket_messaging.service import ServiceSettings


class NotifierSettings(ServiceSettings):
    database_schema: str = "notifier"
    http_port: int = 8003
