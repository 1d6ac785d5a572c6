"""The JSON renderer: the mapping of the document tree, pretty and condensed output, escaping."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from renderers import JSON_CONTENT_TYPE, Element, boxed_list, el, get_renderer, node, response
from renderers.json import JsonRenderer, render_json, to_json_value
from renderers.xml import render_xml

# Any code point, surrogates included, with the troublesome ones made frequent.
ANY_TEXT = st.text(st.characters(exclude_categories=()) | st.sampled_from('\x00\x1f\ud800\udfff\u2028\u2029"\\/\n\t'))


def _parsed(doc: Element, *, condensed: bool = True) -> Any:
    return json.loads(render_json(doc, condensed=condensed))


def _as_read_back(text: str) -> str:
    """``text`` as JSON gives it back: a high surrogate followed by a low one become one character."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def test_success_example() -> None:
    doc = response("updated", [Element("campaign", children=[el("id", "1234567890123450")])])
    assert render_json(doc, condensed=True) == b'{"status":"updated","campaign":{"id":"1234567890123450"}}'


def test_error_example() -> None:
    doc = response("error", [el("error", "Missing account_id", code="parameter_missing")])
    assert render_json(doc, condensed=True) == (
        b'{"status":"error","error":"Missing account_id","error_code":"parameter_missing"}'
    )


def test_pretty_is_indented_by_two_and_condensed_has_no_whitespace() -> None:
    doc = response("ok", [Element("a", children=[el("b", "x y")])])
    assert render_json(doc) == b'{\n  "status": "ok",\n  "a": {\n    "b": "x y"\n  }\n}'
    assert render_json(doc, condensed=True) == b'{"status":"ok","a":{"b":"x y"}}'


def test_renderer_attributes() -> None:
    renderer = JsonRenderer()
    doc = response("ok")
    assert renderer.name == "json"
    assert renderer.content_type == JSON_CONTENT_TYPE == "application/json"
    assert renderer.render(doc, condensed=True) == b'{"status":"ok"}'
    assert renderer.render(doc, condensed=False) == b'{\n  "status": "ok"\n}'
    assert get_renderer("json") is not None


def test_root_attributes_come_first_status_first() -> None:
    doc = Element("response", attrs={"version": "2", "status": "ok"}, children=[el("a", "1")])
    assert list(to_json_value(doc)) == ["status", "version", "a"]
    assert list(to_json_value(response("ok", [el("a", "1")], {"version": "2"}))) == ["status", "version", "a"]


def test_container_attributes_then_children() -> None:
    doc = response("ok", [Element("customer", attrs={"id": "7"}, children=[el("name", "Ann")])])
    assert _parsed(doc) == {"status": "ok", "customer": {"id": "7", "name": "Ann"}}
    assert list(_parsed(doc)["customer"]) == ["id", "name"]


def test_text_element_with_attributes_gets_prefixed_sibling_keys() -> None:
    doc = response("ok", [el("points", "10", unit="pt", kind="bonus")])
    assert _parsed(doc) == {"status": "ok", "points": "10", "points_unit": "pt", "points_kind": "bonus"}


def test_repeated_container_is_an_array_of_strings_or_objects() -> None:
    warnings = Element("warnings", children=[el("warning", "a"), el("warning", "b")], repeated=True)
    campaigns = Element("campaigns", children=[Element("campaign", children=[el("id", "1")])], repeated=True)
    assert _parsed(response("ok", [warnings, campaigns])) == {
        "status": "ok",
        "warnings": ["a", "b"],
        "campaigns": [{"id": "1"}],
    }


def test_repeated_container_with_zero_or_one_item_is_still_an_array() -> None:
    assert _parsed(response("ok", [Element("warnings", repeated=True)]))["warnings"] == []
    assert _parsed(response("ok", [Element("warnings", children=[el("w", "a")], repeated=True)]))["warnings"] == ["a"]


def test_a_boxed_list_s_text_items_are_objects_of_xml_value_to_show() -> None:
    ids = boxed_list("campaign_ids", [el("campaign_id", "1696214675052881"), el("campaign_id", "")])
    nested = node("user", [el("status", "some"), ids, boxed_list("none", [])])
    assert _parsed(response("ok", [nested])) == {
        "status": "ok",
        "user": {
            "status": "some",
            "campaign_ids": [{"xml_value_to_show": "1696214675052881"}, {"xml_value_to_show": ""}],
            "none": [],
        },
    }
    # Items with children stay objects; the same list in XML is any repeated container's.
    mixed = boxed_list("items", [node("item", [el("id", "1")]), el("item", "2")])
    assert _parsed(response("ok", [mixed]))["items"] == [{"id": "1"}, {"xml_value_to_show": "2"}]
    plain = Element("campaign_ids", children=[el("campaign_id", "1")], repeated=True)
    assert render_xml(response("ok", [ids])).replace(b"<campaign_id></campaign_id>", b"") == render_xml(
        response("ok", [plain])
    ).replace(b">1<", b">1696214675052881<")


def test_inline_repeated_container_is_an_array_in_json() -> None:
    customers = Element(
        "customers", children=[Element("customer", children=[el("id", "1")])], repeated=True, inline=True
    )
    assert _parsed(response("ok", [customers])) == {"status": "ok", "customers": [{"id": "1"}]}


def test_array_items_by_the_same_rules() -> None:
    items = [
        el("item", None),
        el("item", "x", code="c"),
        Element("item", attrs={"id": "3"}),
        Element("group", children=[el("i", "1")], repeated=True),
    ]
    assert _parsed(response("ok", [Element("items", children=items, repeated=True)]))["items"] == [
        "",
        {"item": "x", "item_code": "c"},
        {"id": "3"},
        ["1"],
    ]


def test_empty_elements() -> None:
    doc = response("ok", [el("none"), el("empty", ""), Element("attrs_only", attrs={"a": "1"})])
    assert _parsed(doc) == {"status": "ok", "none": "", "empty": "", "attrs_only": {"a": "1"}}


def test_duplicate_names_later_wins_in_first_place() -> None:
    doc = response("ok", [el("a", "first"), el("b", "x"), el("a", "second")])
    assert render_json(doc, condensed=True) == b'{"status":"ok","a":"second","b":"x"}'


def test_non_ascii_kept_and_line_separators_and_lone_surrogates_escaped() -> None:
    body = render_json(response("ok", [el("t", "Zoë 😀 \u2028\u2029 \ud800")]), condensed=True)
    assert body == '{"status":"ok","t":"Zoë 😀 \\u2028\\u2029 \\ud800"}'.encode()
    assert json.loads(body)["t"] == "Zoë 😀 \u2028\u2029 \ud800"


@given(status=ANY_TEXT, text=ANY_TEXT, attr=ANY_TEXT, item=ANY_TEXT, condensed=st.booleans())
def test_any_text_round_trips(status: str, text: str, attr: str, item: str, condensed: bool) -> None:
    doc = response(
        status,
        [
            el("message", text, code=attr),
            Element("items", children=[el("item", item)], repeated=True),
            Element("obj", attrs={"a": attr}, children=[el("t", text)]),
        ],
    )
    body = render_json(doc, condensed=condensed)
    decoded = body.decode("utf-8")
    assert "\u2028" not in decoded
    assert "\u2029" not in decoded
    assert json.loads(body) == {
        "status": _as_read_back(status),
        "message": _as_read_back(text),
        "message_code": _as_read_back(attr),
        "items": [_as_read_back(item)],
        "obj": {"a": _as_read_back(attr), "t": _as_read_back(text)},
    }
