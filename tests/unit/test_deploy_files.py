"""The container and service files (Dockerfile, deploy/compose.yaml, deploy/loyalty-api.service) keep their promises:
a non-root image with a health check on /healthz, the server with PostgreSQL and the demo only on request, a
hardened unit that systemd accepts.  No image is built here: these read the files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
UNIT = ROOT / "deploy" / "loyalty-api.service"


def _scalar(text: str) -> Any:
    if text.startswith("["):
        return json.loads(text)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return int(text) if text.isdigit() else text


def _block_yaml(text: str) -> dict[str, Any]:
    """The subset of YAML the compose file is written in: block mappings and lists, scalars, JSON-like flow lists.
    (PyYAML is not a dependency; it read this file identically when checked.)"""
    root: dict[str, Any] = {}
    stack: list[tuple[int, Any]] = [(-1, root)]
    pending: tuple[int, dict[str, Any], str] | None = None
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if pending is not None:
            key_indent, parent, key = pending
            pending = None
            if indent > key_indent:
                node: Any = [] if stripped.startswith("- ") else {}
                parent[key] = node
                stack.append((key_indent, node))
        while stack[-1][0] >= indent:
            stack.pop()
        current = stack[-1][1]
        if stripped.startswith("- "):
            current.append(_scalar(stripped[2:]))
            continue
        key, _, value = stripped.partition(":")
        if value.strip():
            current[key] = _scalar(value.strip())
        else:
            current[key] = None
            pending = (indent, current, key)
    return root


COMPOSE = _block_yaml((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]


def test_the_block_yaml_reader_reads_nesting_lists_and_flow_lists() -> None:
    text = 'a:\n  b: "x:y"\n  c:\n    - one\n    - "8000:8000"\n  d: ["CMD", "x"]\n  n: 3\ne:\n'
    assert _block_yaml(text) == {"a": {"b": "x:y", "c": ["one", "8000:8000"], "d": ["CMD", "x"], "n": 3}, "e": None}


def test_compose_runs_the_server_on_postgresql_once_the_database_is_healthy() -> None:
    assert set(SERVICES) == {"db", "api", "demo"}
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert "pg_isready" in SERVICES["db"]["healthcheck"]["test"][1]
    api = SERVICES["api"]
    assert api["command"][:3] == ["serve", "--host", "0.0.0.0"]
    assert api["environment"]["LOYALTY_DATABASE_URL"].startswith("postgresql://loyalty:")
    assert api["environment"]["LOYALTY_DATABASE_URL"].endswith("@db:5432/loyalty")
    assert api["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert (ROOT / "deploy" / api["build"]["context"] / api["build"]["dockerfile"]).resolve() == ROOT / "Dockerfile"


def test_compose_checks_the_servers_health_on_healthz() -> None:
    test = SERVICES["api"]["healthcheck"]["test"]
    assert test[0] == "CMD"
    assert "http://127.0.0.1:8000/healthz" in test[-1]


def test_compose_loads_the_demo_only_with_its_profile() -> None:
    demo = SERVICES["demo"]
    assert demo["profiles"] == ["demo"]
    assert demo["command"] == ["demo"]
    assert demo["image"] == SERVICES["api"]["image"]
    assert "profiles" not in SERVICES["api"]
    assert "--demo" not in SERVICES["api"]["command"]


def test_compose_asks_for_the_database_password_rather_than_defaulting_it() -> None:
    assert SERVICES["db"]["environment"]["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"


def _final_stage() -> str:
    return DOCKERFILE.split("\nFROM ")[-1]


def test_the_image_runs_as_a_non_root_user() -> None:
    users = re.findall(r"^USER (\S+)$", _final_stage(), re.M)
    assert len(users) == 1
    name, _, group = users[0].partition(":")
    assert name not in ("root", "0") and group not in ("root", "0")


def test_the_image_checks_its_health_on_healthz_and_serves_on_every_address() -> None:
    stage = _final_stage()
    assert re.search(r"^HEALTHCHECK .*\\\n\s+CMD .*http://127\.0\.0\.1:8000/healthz", stage, re.M)
    assert 'ENTRYPOINT ["loyalty-api"]' in stage
    assert 'CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]' in stage
    assert "LOYALTY_DATABASE_URL=" in stage
    assert DOCKERFILE.count("FROM python:3.11-slim") == 2


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    allowed = {line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines() if line[:1] == "!"}
    copied = {name for line in re.findall(r"^COPY (?!--)(.+) \S+$", DOCKERFILE, re.M) for name in line.split()}
    assert copied <= allowed
    assert all((ROOT / name).exists() for name in copied)


def _unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def test_the_unit_is_hardened() -> None:
    settings = _unit_settings()
    for key, value in {
        "DynamicUser": "yes",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "StateDirectory": "loyalty-api",
    }.items():
        assert settings.get(key) == [value], key
    assert settings["Environment"] == ["LOYALTY_DATABASE_URL=sqlite:////var/lib/loyalty-api/loyalty.db"]
    assert " serve --host 0.0.0.0 " in settings["ExecStart"][0]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    # ExecStart's program is installed on the target machine, not here: point it at this environment's.
    here = str(Path(sys.executable).parent / "loyalty-api")
    unit = tmp_path / "loyalty-api.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("/opt/loyalty-api/bin/loyalty-api", here))
    checked = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False)
    assert (checked.returncode, checked.stderr) == (0, "")
