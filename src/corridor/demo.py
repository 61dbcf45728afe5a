"""`corridor demo`: local nodes of fictional agencies with synthetic seed data.

Every person, unit and account here is invented; no real migrant or suspect appears."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from corridor.cli.common import console
from corridor.config import is_initialised
from corridor.node.service import Node, init_node, open_node
from corridor.security import service as security
from corridor.security.principal import SYSTEM

DEMO_PASSWORD = "corridor-demo-2026"


@dataclass(frozen=True)
class Agency:
    slug: str
    name: str
    org: str
    country: str
    domain: str
    units: tuple[tuple[str, str], ...]
    # (role, display name, unit index or None)
    people: tuple[tuple[str, str, int | None], ...]


AGENCIES = (
    Agency(
        "pk-fia",
        "FIA Anti-Human Smuggling Circle",
        "Federal Investigation Agency (demo)",
        "PK",
        "fia-pk.demo",
        (
            ("Anti-Human Smuggling Circle, Islamabad", "Investigations of smuggling networks"),
            ("Risk Analysis Unit", "Routes, trends and risk profiles"),
            ("International Cooperation Desk", "Contact point for partner agencies, 24/7"),
            ("Migrant Protection Desk", "Screening and referral, with IOM (fictional)"),
        ),
        (
            ("investigator", "Insp. Sana Rauf", 0),
            ("analyst", "Bilal Qureshi", 1),
            ("liaison_officer", "DSP Imran Haider", 2),
            ("protection_officer", "Ayesha Noor", 3),
            ("viewer", "Hamza Siddiqui", None),
        ),
    ),
    Agency(
        "tr-jandarma",
        "Jandarma Migrant Smuggling Unit",
        "Gendarmerie General Command (demo)",
        "TR",
        "jandarma-tr.demo",
        (
            ("Migrant Smuggling and Human Trafficking Unit, Van", "Eastern border investigations"),
            ("Risk Analysis Unit", "Eastern Mediterranean route analysis"),
            ("Liaison Office", "Contact point for partners"),
        ),
        (
            ("investigator", "Kom. Elif Yıldız", 0),
            ("analyst", "Mert Aydın", 1),
            ("liaison_officer", "Yzb. Burak Demir", 2),
            ("viewer", "Zeynep Kaya", None),
        ),
    ),
    Agency(
        "gr-hcg",
        "Hellenic Coast Guard Smuggling Unit",
        "Hellenic Coast Guard (demo)",
        "GR",
        "hcg-gr.demo",
        (
            ("Directorate against Smuggling, Piraeus", "Maritime smuggling investigations"),
            ("Risk Analysis Unit", "Aegean sea arrivals and risk"),
            ("International Cooperation Office", "Contact point for partners"),
        ),
        (
            ("investigator", "Lt. Nikos Papadakis", 0),
            ("analyst", "Eleni Georgiou", 1),
            ("liaison_officer", "Cdr. Maria Antoniou", 2),
            ("viewer", "Giorgos Nikolaou", None),
        ),
    ),
)


def seed(node: Node, agency: Agency) -> list[tuple[str, str]]:
    """Units and one user per role; returns (e-mail, role) logins."""
    logins: list[tuple[str, str]] = []
    with node.db.transaction() as session:
        admin = security.find_user(session, f"admin@{agency.domain}")
        security.set_password(session, actor=SYSTEM, user=admin, password=DEMO_PASSWORD)
        logins.append((admin.email, admin.role))
        units = [
            security.create_unit(session, actor=SYSTEM, name=n, description=d)
            for n, d in agency.units
        ]
        for role, display, unit_index in agency.people:
            email = f"{role.replace('_', '.')}@{agency.domain}"
            security.create_user(
                session,
                actor=SYSTEM,
                email=email,
                role=role,
                password=DEMO_PASSWORD,
                display_name=display,
                unit=units[unit_index] if unit_index is not None else None,
            )
            logins.append((email, role))
    return logins


def prepare(base: Path, agency: Agency, port: int) -> tuple[Path, list[tuple[str, str]]]:
    data_dir = base / agency.slug
    if is_initialised(data_dir):
        node = open_node(data_dir)
        with node.db.transaction() as session:
            logins = [(u.email, u.role) for u in security.list_users(session, actor=SYSTEM)]
        node.close()
        return data_dir, logins
    result = init_node(
        data_dir,
        name=agency.name,
        org=agency.org,
        country=agency.country,
        url=f"http://127.0.0.1:{port}",
        admin_email=f"admin@{agency.domain}",
    )
    logins = seed(result.node, agency)
    result.node.close()
    return data_dir, logins


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the node at {url} exited with code {proc.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the node at {url} did not answer within {timeout:.0f} s")


def run_demo(base: Path, *, nodes: int, port: int, reset: bool) -> None:
    if reset and base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    rows = []
    try:
        for i, agency in enumerate(AGENCIES[:nodes]):
            p = port + i
            data_dir, logins = prepare(base, agency, p)
            log = (base / f"{agency.slug}.log").open("ab")
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "corridor",
                    "serve",
                    "--data-dir",
                    str(data_dir),
                    "--port",
                    str(p),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ},
            )
            procs.append(proc)
            url = f"http://127.0.0.1:{p}"
            wait_healthy(url, proc)
            rows.append((agency, url, logins, base / f"{agency.slug}.log"))
        console.rule("corridor demo")
        for agency, url, logins, logfile in rows:
            console.print(
                f"[bold]{agency.name}[/] ({agency.country})  {url}/login", highlight=False
            )
            for email, role in logins:
                console.print(f"    {email:38} {role}", highlight=False)
            console.print(f"    log: {logfile}", highlight=False)
        console.print(f"\nPassword for every demo account: [bold]{DEMO_PASSWORD}[/]")
        console.print("All people and agencies here are fictional. Ctrl-C stops the demo.")
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        console.print("[red]a demo node stopped; see its log[/]")
    except KeyboardInterrupt:
        console.print("stopping the demo nodes")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
