"""The fictional agencies of the demo, their units and their people (one account per role),
and the node each one runs.

Every person, unit and account here is invented; no real migrant or suspect appears."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corridor.config import is_initialised
from corridor.errors import InvalidInput
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
    # Where its people work: dates on their pages read in this zone (each may change it).
    zone: str
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
        "Asia/Karachi",
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
            ("protection_supervisor", "Dr. Farah Jamil", 3),
            ("viewer", "Hamza Siddiqui", None),
        ),
    ),
    Agency(
        "tr-jandarma",
        "Jandarma Migrant Smuggling Unit",
        "Gendarmerie General Command (demo)",
        "TR",
        "jandarma-tr.demo",
        "Europe/Istanbul",
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
        "Europe/Athens",
        (
            ("Directorate against Smuggling, Piraeus", "Maritime smuggling investigations"),
            ("Risk Analysis Unit", "Aegean sea arrivals and risk"),
            ("International Cooperation Office", "Contact point for partners"),
            ("Migrant Protection Office, Lesvos", "Screening of people rescued at sea"),
        ),
        (
            ("investigator", "Lt. Nikos Papadakis", 0),
            ("analyst", "Eleni Georgiou", 1),
            ("liaison_officer", "Cdr. Maria Antoniou", 2),
            ("protection_officer", "Sofia Karagianni", 3),
            ("viewer", "Giorgos Nikolaou", None),
        ),
    ),
    Agency(
        "it-sco",
        "Central Operations Service, Immigration Desk",
        "Polizia di Stato (demo)",
        "IT",
        "sco-it.demo",
        "Europe/Rome",
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
        "Europe/Sofia",
        (("Investigations Sector, Svilengrad", "Land border with Türkiye"),),
        (("investigator", "Insp. Ivan Petrov", 0), ("liaison_officer", "Elena Dimitrova", 0)),
    ),
)


def seed_accounts(node: Node, agency: Agency) -> list[tuple[str, str]]:
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
            user = security.create_user(
                session,
                actor=SYSTEM,
                email=email,
                role=role,
                password=DEMO_PASSWORD,
                display_name=display,
                unit=units[unit_index] if unit_index is not None else None,
            )
            user.time_zone = agency.zone
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
    logins = seed_accounts(result.node, agency)
    result.node.close()
    return data_dir, logins


def agencies(n: int) -> list[Agency]:
    if n > len(AGENCIES):
        raise InvalidInput(f"the demo has {len(AGENCIES)} agencies; ask for at most that many")
    return list(AGENCIES[:n])
