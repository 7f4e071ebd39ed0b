from datetime import date
from uuid import uuid4

import pytest

from services.intake.domain import FileComplaint, controller_key, file_complaint


@pytest.mark.parametrize(("name", "key"), [
    ("Clearview AI", "clearview-ai"),
    ("  Clearview   AI ", "clearview-ai"),
    ("Clearview AI, Inc.", "clearview-ai"),
    ("clearview.ai", "clearview-ai"),
    ("https://www.clearview.ai/privacy", "clearview-ai"),
    ("Société Générale S.A.", "societe-generale"),
    ("acme.com", "acme"),
    ("Acme Ltd", "acme"),
    ("Inc", "inc"),  # a name that is only a legal form keeps it
])
def test_spellings_of_one_controller_resolve_to_one_key(name, key):
    assert controller_key(name) == key


def test_a_name_without_letters_or_digits_has_no_key():
    with pytest.raises(ValueError, match="no letters or digits"):
        controller_key("!!!")


def test_filing_produces_complaint_filed_with_sorted_distinct_articles():
    command = FileComplaint(complaint_id=uuid4(), kind="art80_1_mandated", controller_name=" Clearview AI ",
                            articles_alleged=(17, 15, 17), narrative="ignored my access request",
                            received_on=date(2021, 5, 27))
    event = file_complaint(command)
    assert event.complaint_id == command.complaint_id
    assert event.kind == "art80_1_mandated"
    assert (event.controller.key, event.controller.name) == ("clearview-ai", "Clearview AI")
    assert event.articles_alleged == (15, 17)
    assert event.received_on == date(2021, 5, 27)
