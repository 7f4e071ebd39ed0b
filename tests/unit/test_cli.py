"""The command line every service shares."""

import logging
import logging.config

from docket_messaging.cli import log_config


def test_access_log_lines_carry_no_query_string():
    config = log_config()
    logging.config.dictConfig(config)
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "POST", "/complaints/DKT-2020-ABC123/evidence?filename=Jeanne.pdf",
                                "1.1", 201), None)
    handler = logging.getLogger("uvicorn.access").handlers[0]
    assert all(f.filter(record) for f in handler.filters)
    assert "Jeanne" not in record.getMessage() and "/complaints/DKT-2020-ABC123/evidence" in record.getMessage()
