"""The systemd units in deploy/systemd/ run commands that exist, and the guide names them."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
APP = "/srv/xiqia/app"  # the deployment guide's checkout


def parse(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # keys are case-sensitive in systemd
    unit.read_string(path.read_text(encoding="utf-8"))
    return unit


def units(suffix: str) -> list[Path]:
    return sorted(UNITS.glob(f"*.{suffix}"))


def test_there_are_units() -> None:
    assert [p.name for p in units("service")] == [
        "xiqia-govservice-remind.service",
        "xiqia-voucher-gates.service",
        "xiqia-voucher-purge.service",
        "xiqia.service",
    ]


@pytest.mark.parametrize("path", units("service"), ids=lambda p: p.name)
def test_service_runs_from_the_checkout_as_xiqia_with_the_environment(path: Path) -> None:
    service = parse(path)["Service"]

    assert (service["User"], service["Group"]) == ("xiqia", "xiqia")
    assert service["WorkingDirectory"] == APP
    assert service["EnvironmentFile"] == "/etc/xiqia/xiqia.env"
    command = shlex.split(service["ExecStart"])
    assert command[0].startswith(f"{APP}/.venv/bin/")
    if command[0].endswith("/python"):
        assert service["Type"] == "oneshot"
        assert command[1] == "manage.py"
        assert command[2] in get_commands(), f"{path.name}: no command {command[2]}"
    else:
        assert command[:2] == [f"{APP}/.venv/bin/gunicorn", "xiqia.wsgi"]


@pytest.mark.parametrize("path", units("timer"), ids=lambda p: p.name)
def test_each_timer_starts_its_own_oneshot_service(path: Path) -> None:
    timer = parse(path)
    service = path.with_suffix(".service")

    assert service.exists(), f"{path.name} has no {service.name}"
    assert parse(service)["Service"]["Type"] == "oneshot"
    assert timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_deployment_guide_names_every_unit() -> None:
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")

    for path in units("service") + units("timer"):
        assert path.name in guide, f"docs/deployment.md does not name {path.name}"
