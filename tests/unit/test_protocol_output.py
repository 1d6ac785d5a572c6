"""The output choice of a request on its own (:func:`choose_output`): ``output`` (any case), ``condensed``,
``callback`` (JSONP).  The same rules over HTTP are in ``tests/api/test_output.py``."""

from __future__ import annotations

import pytest

from loyalty_api.errors import ApiError
from loyalty_api.handler.fields import Fields
from loyalty_api.protocol.output import InvalidCallback, choose_output, default_output
from tests.support.api import CONDENSED_FALSE_WORDS as FALSE_WORDS
from tests.support.api import CONDENSED_TRUE_WORDS as TRUE_WORDS


def test_xml_is_the_default() -> None:
    choice = choose_output(Fields({}))
    assert (choice.renderer.name, choice.condensed, choice.callback) == ("xml", False, None)
    assert default_output().renderer.name == "xml"


@pytest.mark.parametrize(
    ("output", "name"),
    [("JSON", "json"), ("json", "json"), ("Json", "json"), ("jSoN", "json"), (" JSON ", "json")]
    + [("XML", "xml"), ("xml", "xml"), ("Xml", "xml"), ("", "xml"), ("  ", "xml")],
)
def test_output_is_case_insensitive_and_trimmed(output: str, name: str) -> None:
    assert choose_output(Fields({"output": output})).renderer.name == name


@pytest.mark.parametrize("output", ["yaml", "html", "JSONP", "xml2", "J SON", "csv"])
def test_an_unknown_output_is_parameter_invalid(output: str) -> None:
    with pytest.raises(ApiError) as caught:
        choose_output(Fields({"output": output}))
    assert caught.value.code == "parameter_invalid"
    assert "output" in caught.value.message
    assert not isinstance(caught.value, InvalidCallback)


@pytest.mark.parametrize("word", TRUE_WORDS)
def test_condensed_is_on_for_yes_y_true_1(word: str) -> None:
    assert choose_output(Fields({"condensed": word, "output": "json"})).condensed is True


@pytest.mark.parametrize("word", FALSE_WORDS)
def test_condensed_is_off_for_anything_else(word: str) -> None:
    assert choose_output(Fields({"condensed": word, "output": "json"})).condensed is False


@pytest.mark.parametrize("output", ["XML", "JSON", "yaml", ""])
def test_a_callback_means_jsonp_whatever_output_says(output: str) -> None:
    choice = choose_output(Fields({"callback": "cb", "output": output}))
    assert (choice.renderer.name, choice.callback) == ("json", "cb")


@pytest.mark.parametrize("callback", ["1cb", "cb()", "a..b", "a.", "alert(1);x", "cb-x", "é", "a" * 129])
def test_an_invalid_callback_is_refused(callback: str) -> None:
    with pytest.raises(InvalidCallback) as caught:
        choose_output(Fields({"callback": callback}))
    assert caught.value.code == "invalid_callback"


def test_a_blank_callback_is_no_callback() -> None:
    assert choose_output(Fields({"callback": "  ", "output": "xml"})).callback is None
