"""How every Docket process logs: one JSON object a line for the machines that collect logs (LOG_FORMAT=json,
the default), or plain lines for a person at a terminal (LOG_FORMAT=text, as `make run` starts the services).

Each line carries the ids of what was being handled when it was written: the event a consumer applies, the
case and the complaint it concerns, the trace of the request or message that caused it (from a W3C
`traceparent`). They travel in a context variable (docket_messaging.context), set where a request or a
consumed message comes in, so that one complaint can be followed across the three services without passing ids
to every call that logs.

A line holds only the fields named here, never the extra attributes a record may carry: what a line says is
what its message says, and messages name ids, hosts and reasons, never personal data or secrets (README,
"Personal data").
"""

from __future__ import annotations

import json
import logging
import logging.config
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal

from docket_messaging.context import IDS, current_ids

LogFormat = Literal["json", "text"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

_SHORT = {"event_id": "event", "case_id": "case", "complaint_id": "complaint", "trace_id": "trace"}


def _ids_of(record: logging.LogRecord) -> dict[str, str]:
    """The context's ids, and any given to this one call with `extra={"case_id": ...}`."""
    ids = dict(current_ids())
    for name in IDS:
        if (value := getattr(record, name, None)) is not None:
            ids[name] = str(value)
    return {name: ids[name] for name in IDS if name in ids}


def _access(record: logging.LogRecord) -> dict[str, object]:
    """uvicorn's access line as fields: (client, method, path, HTTP version, status) are its arguments."""
    if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
        _, method, path, _, status = record.args
        return {"http_method": method, "http_path": path, "http_status": status}
    return {}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, service, logger, message, the ids at hand, and an exception's
    type and traceback. Control characters and every non-ASCII character are escaped, so a message with line
    breaks stays on its line whatever splits the stream into lines."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            **_ids_of(record),
            **_access(record),
        }
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
            line["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=True, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message [case=... complaint=...]`, with an exception's traceback below it."""

    def __init__(self, service: str) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.service = service

    def formatMessage(self, record: logging.LogRecord) -> str:
        text = super().formatMessage(record)
        ids = _ids_of(record)
        return f"{text} [{' '.join(f'{_SHORT[k]}={v}' for k, v in ids.items())}]" if ids else text


FORMATTERS: dict[str, type[logging.Formatter]] = {"json": JsonFormatter, "text": TextFormatter}


class WithoutQuery(logging.Filter):
    """Access log lines name the path, never the query string: a query can carry a file name or a search
    term that is personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            if isinstance(path, str):
                record.args = (client, method, path.split("?", 1)[0], version, status)
        return True


def log_config(service: str = "docket", log_format: LogFormat = "json", level: LogLevel = "INFO") -> dict[str, Any]:
    """The logging of a service's process as a dictConfig, uvicorn's loggers included: every line through one
    formatter on stderr, the access log passed through WithoutQuery."""
    stream = {"class": "logging.StreamHandler", "formatter": "docket", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"docket": {"()": f"{__name__}.{FORMATTERS[log_format].__name__}", "service": service}},
        "filters": {"without_query": {"()": f"{__name__}.WithoutQuery"}},
        "handlers": {"default": stream, "access": stream | {"filters": ["without_query"]}},
        "root": {"handlers": ["default"], "level": level},
        # uvicorn's own lines go through the root's handler; its access lines through the filtering one.
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
    }


def configure_logging(service: str, log_format: LogFormat, level: LogLevel) -> dict[str, Any]:
    """Configure this process's logging (returned as given to dictConfig, for uvicorn to apply again).
    Warnings, and exceptions nothing caught, are logged too, so that every line of the process has the
    chosen format."""
    config = log_config(service, log_format, level)
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
    sys.excepthook = _uncaught
    threading.excepthook = lambda args: _uncaught(args.exc_type, args.exc_value, args.exc_traceback)
    sys.unraisablehook = _unraisable
    return config


def _uncaught(kind: type[BaseException], value: BaseException | None, traceback: TracebackType | None) -> None:
    # A thread's hook may be told of a kind without its exception: logging formats that too, though its type
    # of exc_info leaves it out.
    exc_info: Any = (kind, value, traceback)
    logging.getLogger("docket").critical("uncaught %s", kind.__name__, exc_info=exc_info)


def _unraisable(unraisable: Any) -> None:
    exc = unraisable.exc_value
    logging.getLogger("docket").warning(
        "%s: %s",
        unraisable.err_msg or "exception ignored",
        type(exc).__name__ if exc is not None else "",
        exc_info=(type(exc), exc, unraisable.exc_traceback) if exc else None,
    )
