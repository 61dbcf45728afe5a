"""`corridor demo`: local nodes of fictional agencies with synthetic seed data.

Every person, unit and account here is invented; no real migrant or suspect appears."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from corridor import clock
from corridor.cli.common import console
from corridor.config import is_initialised
from corridor.demo_cooperation import seed_cooperation
from corridor.demo_entities import seed_investigation
from corridor.demo_mapping import seed_guidance
from corridor.errors import InvalidInput
from corridor.federation.cards import own_card_chain
from corridor.federation.models import Peer
from corridor.federation.peers import add_peer
from corridor.node.service import Node, init_node, open_node
from corridor.security import service as security
from corridor.security.principal import CLI, SYSTEM

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
    Agency(
        "it-sco",
        "Central Operations Service, Immigration Desk",
        "Polizia di Stato (demo)",
        "IT",
        "sco-it.demo",
        (
            ("Immigration and Border Police Investigations", "Central Mediterranean networks"),
            ("Risk Analysis Unit", "Arrivals and routes"),
        ),
        (
            ("investigator", "Isp. Giulia Romano", 0),
            ("analyst", "Luca Bianchi", 1),
            ("liaison_officer", "Comm. Marco Ferri", 0),
        ),
    ),
    Agency(
        "bg-bp",
        "Border Police Investigations",
        "Border Police (demo)",
        "BG",
        "bp-bg.demo",
        (("Investigations Sector, Svilengrad", "Land border with Türkiye"),),
        (("investigator", "Insp. Ivan Petrov", 0), ("liaison_officer", "Elena Dimitrova", 0)),
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


def peer_all(data_dirs: list[Path]) -> None:
    """Every demo node imports and approves every other's card (as administrators would,
    after comparing fingerprints by telephone)."""
    nodes = [open_node(d) for d in data_dirs]
    try:
        cards = {}
        for n in nodes:
            with n.db.transaction() as session:
                cards[n.id] = json.dumps(own_card_chain(session, n.id)[-1])
        for n in nodes:
            with n.db.transaction() as session:
                for other_id, card in cards.items():
                    if other_id != n.id and session.get(Peer, other_id) is None:
                        add_peer(session, actor=CLI, own_node_id=n.id, card_file=card, approve=True)
    finally:
        for n in nodes:
            n.close()


def _token(data_dir: Path, email: str) -> str:
    node = open_node(data_dir)
    try:
        with node.db.transaction() as session:
            user = security.find_user(session, email)
            secret, _ = security.create_token(
                session,
                actor=SYSTEM,
                user=user,
                name="demo seeding",
                scopes=["read", "write"],
                expires_at=clock.now() + timedelta(hours=1),
            )
        return secret
    finally:
        node.close()


def seed_threads(running: list[tuple[Agency, str, Path]], node_ids: dict[str, str]) -> None:
    """A few realistic, fictional threads between the first agencies, sent through the real
    API of the running nodes so that they travel, and receipts flow back, as in daily use."""
    by_slug = {a.slug: (url, d) for a, url, d in running}
    if not {"pk-fia", "tr-jandarma", "gr-hcg"} <= set(by_slug):
        return
    tokens = {
        a.slug: _token(d, f"liaison.officer@{a.domain}")
        for a, _, d in running
        if a.slug in ("pk-fia", "tr-jandarma", "gr-hcg")
    }

    def post(slug: str, payload: dict[str, object]) -> str:
        url = by_slug[slug][0]
        r = httpx.post(
            f"{url}/api/v1/messages",
            json=payload,
            timeout=10,
            headers={"Authorization": f"Bearer {tokens[slug]}"},
        )
        r.raise_for_status()
        return str(r.json()["id"])

    def arrived(slug: str, mid: str) -> None:
        url = by_slug[slug][0]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            r = httpx.get(
                f"{url}/api/v1/messages/{mid}",
                timeout=5,
                headers={"Authorization": f"Bearer {tokens[slug]}"},
            )
            if r.status_code == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"demo message {mid} did not reach {slug}")

    pk, tr, gr = node_ids["pk-fia"], node_ids["tr-jandarma"], node_ids["gr-hcg"]
    first = post(
        "pk-fia",
        {
            "to": [tr, gr],
            "subject": "Facilitator network moving Pakistani nationals via Van",
            "body": "Our investigation into a network recruiting in Gujrat and Mandi Bahauddin "
            "indicates groups of 10-15 people crossing from Iran into Van province every week, "
            "charging PKR 2.5 million each for the route to Greece. Two WhatsApp numbers used "
            "by the coordinator are under analysis. Do you hold information on arrivals in Van "
            "or Edirne matching this pattern? (fictional demo data)",
            "tlp": "AMBER",
            "handling": "H2",
            "evaluation": {"source": "B", "information": 2},
        },
    )
    arrived("tr-jandarma", first)
    post(
        "tr-jandarma",
        {
            "to": [pk],
            "subject": "Re: Facilitator network moving Pakistani nationals via Van",
            "body": "Two facilitators detained near Muradiye last week held phones with contacts "
            "in Gujrat. We can share extracts through a request for assistance. "
            "(fictional demo data)",
            "in_reply_to": first,
            # An answer keeps what it answers: AMBER, no dissemination without permission.
            "tlp": "AMBER",
            "handling": "H2",
        },
    )
    warning = post(
        "gr-hcg",
        {
            "to": [tr, pk],
            "subject": "Boat departures expected from the Çeşme coast",
            "body": "Aerial surveillance saw inflatable boats being prepared north of Çeşme. "
            "Weather favourable for the next 48 hours. (fictional demo data)",
            "tlp": "GREEN",
            "handling": "H0",
            "evaluation": {"source": "A", "information": 2},
        },
    )
    arrived("tr-jandarma", warning)
    post(
        "tr-jandarma",
        {
            "to": [gr],
            "subject": "Re: Boat departures expected from the Çeşme coast",
            "body": "Patrols reinforced on our side; we will report interceptions. "
            "(fictional demo data)",
            "in_reply_to": warning,
            "tlp": "GREEN",
        },
    )
    post(
        "tr-jandarma",
        {
            "to": [gr],
            "subject": "Fraudulent Greek residence permits detected at Istanbul airport",
            "body": "Six counterfeit permits with the same laminate defect seen this month; "
            "description attached. (fictional demo data)",
            "tlp": "AMBER",
            "handling": "H2",
            "attachments": [
                {
                    "name": "permit-defects.txt",
                    "content_type": "text/plain",
                    "data": base64.b64encode(
                        b"Laminate lifts at the upper edge; OVD missing on the photo; "
                        b"serial numbers in one sequence (fictional demo data)"
                    ).decode(),
                }
            ],
        },
    )


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


def agencies(n: int) -> list[Agency]:
    if n > len(AGENCIES):
        raise InvalidInput(f"the demo has {len(AGENCIES)} agencies; ask for at most that many")
    return list(AGENCIES[:n])


def run_demo(base: Path, *, nodes: int, port: int, reset: bool) -> None:
    if reset and base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True, exist_ok=True)
    layout_file = base / "demo.json"
    chosen = agencies(nodes)
    layout = {a.slug: port + i for i, a in enumerate(chosen)}
    if layout_file.exists():
        old = json.loads(layout_file.read_text())
        if any(slug in old and old[slug] != p for slug, p in layout.items()):
            raise InvalidInput(
                f"the demo in {base} was created with other ports ({old}); "
                "use the same --port or --reset"
            )
        layout = {**old, **layout}
    layout_file.write_text(json.dumps(layout))
    procs: list[subprocess.Popen[bytes]] = []
    rows = []
    try:
        prepared = [(a, *prepare(base, a, layout[a.slug])) for a in chosen]
        peer_all([d for _, d, _ in prepared])
        running = []
        node_ids = {}
        for agency, data_dir, logins in prepared:
            p = layout[agency.slug]
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
                    "--workers",
                    "1",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ},
            )
            procs.append(proc)
            url = f"http://127.0.0.1:{p}"
            rows.append((agency, url, logins, base / f"{agency.slug}.log"))
            running.append((agency, url, data_dir))
            node_ids[agency.slug] = (data_dir / "keys" / "node_id").read_text().strip()
        for (_, url, _), proc in zip(running, procs, strict=True):
            wait_healthy(url, proc)
        marker = base / "threads-seeded"
        if not marker.exists():
            seed_threads(running, node_ids)
            marker.write_text(clock.iso(clock.now()))
        # Each seed once per demo directory (a marker file), through the nodes' own API.
        dirs = {a.slug: d for a, _, d in running}
        for name, seed_data in (
            ("investigation", seed_investigation),
            ("cooperation", seed_cooperation),
            ("guidance", seed_guidance),
        ):
            marker = base / f"{name}-seeded"
            if not marker.exists():
                seed_data(
                    {a.slug: url for a, url, _ in running},
                    lambda slug, email: _token(dirs[slug], email),
                    node_ids,
                    {a.slug: a.domain for a in chosen},
                )
                marker.write_text(clock.iso(clock.now()))
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
