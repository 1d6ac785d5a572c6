"""An account's legacy ``&``: its XML answers leave ``&`` bare in texts, as the legacy server did, for clients that
run ``str_replace('&', '&amp;', $xml)`` before parsing.  Off by default; ``<`` and ``>`` stay escaped; JSON and
other accounts are untouched."""

from __future__ import annotations

from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from renderers import el, legacy_ampersands, response
from renderers.xml import render_xml
from tests.support.api import credentials
from tests.support.cli import run_cli
from tests.support.customers import new
from tests.support.users import ADMIN, OTHER_ADMIN


def _post(client: TestClient, fields: dict[str, str], user: tuple[str, str, str] = ADMIN) -> bytes:
    reply = client.post("/api.php", data={**credentials(user), **fields})
    assert reply.status_code == 200
    return reply.content


def _as_php_clients_read_it(body: bytes) -> etree._Element:
    """What the PHP clients do: escape every & again, then parse."""
    return etree.fromstring(body.replace(b"&", b"&amp;"))


def test_off_by_default_the_xml_is_well_formed(client: TestClient) -> None:
    body = _post(client, {"type": "account_info"})
    assert b"<industry>Science &amp; Technology</industry>" in body
    assert etree.fromstring(body).findtext("account/industry") == "Science & Technology"


def test_on_texts_keep_bare_ampersands_and_escaped_angle_brackets(client: TestClient, settings: Settings) -> None:
    run_cli(settings, "account", "set", "greatwidgets", "--legacy-ampersand")  # before a login is cached
    new(client, code="AMP1", first_name="Tom & Jerry", last_name="<b>Bold</b>")
    body = _post(client, {"type": "customer_info", "code": "AMP1", "include_balances": "N"})
    assert b"<first_name>Tom & Jerry</first_name>" in body
    assert b"<last_name>&lt;b&gt;Bold&lt;/b&gt;</last_name>" in body
    # The clients' own escaping makes it well-formed XML again, and they read the & as it was stored.
    customer = _as_php_clients_read_it(body).find("customer")
    assert customer is not None and customer.findtext("first_name") == "Tom & Jerry"
    assert _post(client, {"type": "account_info"}).count(b"Science & Technology") == 1


def test_on_json_and_other_accounts_are_unchanged(client: TestClient, settings: Settings) -> None:
    run_cli(settings, "account", "set", "greatwidgets", "--legacy-ampersand")
    run_cli(settings, "account", "set", "otherco", "--industry", "Arts & Crafts")
    json_body = _post(client, {"type": "account_info", "output": "JSON"})
    assert b'"industry": "Science & Technology"' in json_body
    other = _post(client, {"type": "account_info"}, OTHER_ADMIN)
    assert b"<industry>Arts &amp; Crafts</industry>" in other


def test_on_errors_after_the_login_follow_the_setting_and_before_it_cannot(
    client: TestClient, settings: Settings
) -> None:
    run_cli(settings, "account", "set", "greatwidgets", "--legacy-ampersand")
    unknown = _post(client, {"type": "customer_info", "code": "A&B"})
    assert b'No customer with code "A&B" in this account.' in unknown
    wrong_key = client.post("/api.php", data={**credentials(ADMIN), "user_password": "wrong&key", "type": "x&y"})
    assert etree.fromstring(wrong_key.content).get("status") == "error"  # no account is known yet: well-formed XML


def test_turning_it_off_again(client: TestClient, settings: Settings) -> None:
    run_cli(settings, "account", "set", "greatwidgets", "--legacy-ampersand")
    run_cli(settings, "account", "set", "greatwidgets", "--no-legacy-ampersand")
    assert b"Science &amp; Technology" in _post(client, {"type": "account_info"})


def test_legacy_ampersands_examples() -> None:
    doc = response("success", [el("a", "Tom & Jerry"), el("b", "1 < 2 > 0"), el("c", "&lt; is written &amp;lt;")])
    xml = render_xml(doc)
    assert xml.endswith(
        b"<a>Tom &amp; Jerry</a><b>1 &lt; 2 &gt; 0</b><c>&amp;lt; is written &amp;amp;lt;</c></response>"
    )
    assert legacy_ampersands(xml).endswith(
        b"<a>Tom & Jerry</a><b>1 &lt; 2 &gt; 0</b><c>&lt; is written &amp;lt;</c></response>"
    )
    assert legacy_ampersands(render_xml(response("success", [el("a", "plain")]))) == render_xml(
        response("success", [el("a", "plain")])
    )
