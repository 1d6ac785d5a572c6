"""The renderer registry: built-ins, programmatic registration, and real ``loyalty_api.renderers`` entry points.

The entry-point tests install a throw-away distribution (a ``*.dist-info`` folder and its module) in a
temporary directory put on ``sys.path``; the registry is reset before and after every test.
"""

from __future__ import annotations

import logging
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from renderers import Element, Renderer, el, get_renderer, register_renderer, renderer_names, response
from renderers._registry import ENTRY_POINT_GROUP, reset_registry
from renderers.json import JsonRenderer
from renderers.xml import XmlRenderer

PLUGIN_MODULE = "loyalty_renderers_test_plugin"

PLUGIN_SOURCE = """
from renderers.document import Element

INSTANCES = []


class YamlRenderer:
    name = "yaml"
    content_type = "application/yaml"

    def __init__(self):
        INSTANCES.append(self)

    def render(self, doc: Element, *, condensed: bool) -> bytes:
        lines = [f"{key}: {value}" for key, value in doc.attrs.items()]
        lines += [f"{child.name}: {child.text}" for child in doc.children]
        return "\\n".join(lines).encode()


class Csv:
    name = "CSV"
    content_type = "text/csv"

    def render(self, doc: Element, *, condensed: bool) -> bytes:
        return b"status\\r\\n" + doc.attrs["status"].encode()


csv_renderer = Csv()


class FakeXml(YamlRenderer):
    name = "xml"


class NotARenderer:
    name = "nothing"


def failing_factory():
    raise RuntimeError("plugin is broken")
"""

PluginInstaller = Callable[[str], None]


@dataclass
class _Toy:
    name: str
    content_type: str = "text/plain"

    def render(self, doc: Element, *, condensed: bool) -> bytes:
        return f"{self.name}:{doc.attrs['status']}:{condensed}".encode()


def _render_all(doc: Element) -> list[bytes]:
    """``doc`` through the built-ins, condensed."""
    renderers = [get_renderer("xml"), get_renderer("json")]
    return [renderer.render(doc, condensed=True) for renderer in renderers if renderer is not None]


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    reset_registry()
    yield
    reset_registry()


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PluginInstaller]:
    """Install a distribution whose ``entry_points.txt`` declares the given renderer entry points."""

    def install(entry_points: str) -> None:
        (tmp_path / f"{PLUGIN_MODULE}.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
        dist_info = tmp_path / "loyalty_renderers_test_plugin-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: loyalty-renderers-test-plugin\nVersion: 1.0\n", encoding="utf-8"
        )
        (dist_info / "entry_points.txt").write_text(
            f"[{ENTRY_POINT_GROUP}]\n{textwrap.dedent(entry_points).strip()}\n", encoding="utf-8"
        )
        monkeypatch.syspath_prepend(str(tmp_path))

    yield install
    sys.modules.pop(PLUGIN_MODULE, None)


def test_builtins_case_insensitive() -> None:
    xml = get_renderer("xml")
    json = get_renderer("json")
    assert isinstance(xml, XmlRenderer)
    assert isinstance(json, JsonRenderer)
    assert get_renderer("XML") is xml
    assert get_renderer("Json") is json
    assert renderer_names()[:2] == ["xml", "json"]


def test_unknown_name_gives_none() -> None:
    assert get_renderer("yaml") is None
    assert get_renderer("") is None
    assert get_renderer("jsonp") is None


def test_builtins_satisfy_the_protocol() -> None:
    renderers: list[Renderer] = [XmlRenderer(), JsonRenderer(), _Toy("toy")]
    assert [renderer.name for renderer in renderers] == ["xml", "json", "toy"]


def test_register_renderer_programmatically() -> None:
    register_renderer(_Toy("Toy"))
    renderer = get_renderer("TOY")
    assert renderer is not None
    assert renderer.render(response("ok"), condensed=True) == b"Toy:ok:True"
    assert "toy" in renderer_names()
    replacement = _Toy("toy")
    register_renderer(replacement)
    assert get_renderer("toy") is replacement


def test_register_renderer_refuses_builtin_names_and_non_renderers() -> None:
    with pytest.raises(ValueError, match="cannot be replaced"):
        register_renderer(_Toy("XML"))
    with pytest.raises(TypeError):
        register_renderer(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        register_renderer(_Toy(""))
    assert isinstance(get_renderer("xml"), XmlRenderer)


def test_reset_forgets_registrations() -> None:
    register_renderer(_Toy("toy"))
    reset_registry()
    assert get_renderer("toy") is None


def test_entry_point_class_and_instance(install_plugin: PluginInstaller) -> None:
    install_plugin(
        f"""
        yaml = {PLUGIN_MODULE}:YamlRenderer
        csv = {PLUGIN_MODULE}:csv_renderer
        """
    )
    yaml = get_renderer("YAML")
    assert yaml is not None
    assert yaml.content_type == "application/yaml"
    doc = response("updated", [el("id", "1234567890123450")])
    assert yaml.render(doc, condensed=False) == b"status: updated\nid: 1234567890123450"
    csv = get_renderer("csv")
    assert csv is not None
    assert csv.render(doc, condensed=True) == b"status\r\nupdated"
    assert renderer_names() == ["xml", "json", "csv", "yaml"]


def test_entry_points_are_loaded_lazily_and_once(install_plugin: PluginInstaller) -> None:
    install_plugin(f"yaml = {PLUGIN_MODULE}:YamlRenderer")
    assert get_renderer("xml") is not None
    assert get_renderer("JSON") is not None
    assert PLUGIN_MODULE not in sys.modules
    first = get_renderer("yaml")
    assert first is not None
    assert get_renderer("yaml") is first
    assert get_renderer("unknown") is None
    renderer_names()
    assert len(sys.modules[PLUGIN_MODULE].INSTANCES) == 1


def test_broken_entry_points_are_skipped_and_logged(
    install_plugin: PluginInstaller, caplog: pytest.LogCaptureFixture
) -> None:
    install_plugin(
        f"""
        missing_module = loyalty_renderers_no_such_module:Renderer
        missing_attribute = {PLUGIN_MODULE}:NoSuchRenderer
        failing = {PLUGIN_MODULE}:failing_factory
        nothing = {PLUGIN_MODULE}:NotARenderer
        xml = {PLUGIN_MODULE}:FakeXml
        yaml = {PLUGIN_MODULE}:YamlRenderer
        """
    )
    with caplog.at_level(logging.WARNING, logger="renderers"):
        assert renderer_names() == ["xml", "json", "yaml"]
    assert isinstance(get_renderer("xml"), XmlRenderer)
    assert isinstance(get_renderer("json"), JsonRenderer)
    assert get_renderer("nothing") is None
    assert get_renderer("yaml") is not None
    messages = "\n".join(record.getMessage() for record in caplog.records)
    for name in ("missing_module", "missing_attribute", "failing", "nothing", "xml"):
        assert f"renderer entry point {name!r}" in messages
    doc = response("ok")
    assert _render_all(doc) == [b'<?xml version="1.0" encoding="UTF-8"?>\n<response status="ok"/>', b'{"status":"ok"}']


def test_programmatic_registration_takes_precedence_over_entry_points(install_plugin: PluginInstaller) -> None:
    install_plugin(f"yaml = {PLUGIN_MODULE}:YamlRenderer")
    toy = _Toy("yaml")
    register_renderer(toy)
    assert get_renderer("yaml") is toy
