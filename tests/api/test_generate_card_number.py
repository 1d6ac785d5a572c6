"""``generate_card_number``: a card number of the asked length and prefix, in XML and JSON."""

from __future__ import annotations

import re
from typing import Final

from starlette.testclient import TestClient

from tests.support.api import call, error_code
from tests.support.golden import customer_case, customer_golden_tests

CASES: Final = [customer_case("generate_card_number", {"type": "generate_card_number"})]


test_answers_match_golden_files, test_no_stray_golden_files = customer_golden_tests("generate_card_number", CASES)


def test_generate_card_number(client: TestClient) -> None:
    root = call(client, {"type": "generate_card_number"})
    assert re.fullmatch(r"[1-9]\d{15}", str(root.findtext("customer/card_number")))
    root = call(client, {"type": "generate_card_number", "how_many_digits": "8", "card_number_prefix": "7"})
    assert re.fullmatch(r"7\d{7}", str(root.findtext("customer/card_number")))
    assert error_code(call(client, {"type": "generate_card_number", "how_many_digits": "40"})) == "parameter_invalid"
