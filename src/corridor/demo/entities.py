"""Demo investigation data: a fictional facilitation network along the Pakistan → Iran → Türkiye
→ Greece route, loaded through the real API (an import, relations, duplicate detection, a share
with a partner). Every person, phone, account and vessel here is invented."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from corridor.demo.seeding import DemoApi, DemoNodes, days_from

# A spreadsheet as an investigator would get it: Urdu/Arabic script and Latin spellings mixed,
# national phone notation, day/month/year dates, and two people recorded twice.
SUSPECTS_CSV = """\
Full name,Father name,Date of birth,Nationality,Passport No,Mobile,Role
Muhammad Asif Khan,Abdul Khan,02/03/1984,Pakistan,AK4471203,0300 5550147,coordinator (Gujrat)
محمد آصف خان,,02/03/1984,Pakistan,,0300 5550147,"same man, statement of a migrant"
Haji Karim Baloch,,15/01/1969,Pakistan,BK1190876,0333 5550112,organiser (Quetta)
Tariq Mehmood,Ghulam Mehmood,21/11/1990,Pakistan,TM2299011,0345 5550190,recruiter (Mandi Bahauddin)
Naveed Iqbal,,07/07/1992,Pakistan,NI3381120,0301 5550173,recruiter (Gujrat)
Reza Ahmadi,,30/05/1987,Iran,,+98 915 555 0134,driver (Taftan-Tehran)
رضا احمدی,,30/05/1987,Iran,,+98 915 555 0134,"driver, from a seized phone"
Gul Wali Stanikzai,,12/12/1985,Afghanistan,,+98 912 555 0166,safe-house keeper (Urmia)
Sherzad Hawrami,,03/04/1983,Iraq,,+90 532 555 0188,crossing guide (Van)
Emre Kaplan,,19/09/1979,Turkey,U55501234,+90 541 555 0101,boat organiser (Izmir)
Qasim Ali,,,Pakistan,QA5501992,+92 300 555 0177,hawaladar (Rawalpindi)
"""

MAPPING = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["Full name", "Date of birth"],
            "properties": {
                "name": {"column": "Full name"},
                "fatherName": {"column": "Father name"},
                "birthDate": {"column": "Date of birth", "format": "%d/%m/%Y"},
                "nationality": {"column": "Nationality"},
                "passportNumber": {"column": "Passport No"},
                "phone": {"column": "Mobile"},
                "description": {"column": "Role"},
            },
        }
    }
}


def seed_investigation(nodes: DemoNodes) -> None:
    """The case of pk-fia's investigator: an import, relations, duplicates, a share with TR."""
    if "pk-fia" not in nodes.present:
        return
    # An import's upload and processing take longer than a plain API call.
    pk = nodes.api("pk-fia", "investigator", timeout=60)
    try:
        _investigation(pk, nodes.node_ids)
    finally:
        pk.close()


def _investigation(pk: DemoApi, node_ids: dict[str, str]) -> None:
    case = pk.call(
        "POST",
        "/api/v1/cases",
        json={
            "reference": "FIA-AHSC-2026-014",
            "title": "Gujrat–Van facilitation network (fictional)",
            "summary": "Recruitment in Gujrat and Mandi Bahauddin, transport through Balochistan "
            "and Iran, crossing into Van, boats from the Izmir coast. Fictional demo data.",
            "tlp": "AMBER",
            "purpose": "enforcement",
            "handling": "H2",
            # In the network's hit/no-hit index: partners' checks of these phones, passports
            # and names (any script) find that FIA holds a match, and FIA is told.
            "matching": True,
        },
    )
    cid = case["id"]
    # Work for the dashboard: a task of the investigator's, due the day after tomorrow.
    pk.call(
        "POST",
        f"/api/v1/cases/{cid}/tasks",
        json={
            "title": "Trace the hawala payout in Urmia (demo)",
            "details": "Fictional: who collected the EUR 2,400 on 6 May?",
            "owner": pk.call("GET", "/api/v1/me")["handle"],
            "due": days_from(datetime.now(UTC).date(), 2),
        },
    )
    run = pk.call(
        "POST",
        f"/api/v1/cases/{cid}/imports",
        files={"file": ("suspects-2026-05.csv", SUSPECTS_CSV.encode("utf-8"))},
        data={"mapping": json.dumps(MAPPING)},
    )
    deadline = time.monotonic() + 60
    while run["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.3)
        run = pk.call("GET", f"/api/v1/cases/{cid}/imports/{run['id']}")
    if run["state"] != "done":
        raise RuntimeError(f"demo import did not finish: {run['state']} {run.get('error')}")
    people = pk.call("GET", f"/api/v1/cases/{cid}/entities?schema=Person&limit=500")["items"]

    def who(name: str) -> str:
        return str(next(p["id"] for p in people if p["caption"] == name))

    def add(schema: str, **props: list[str]) -> str:
        return str(
            pk.call(
                "POST",
                f"/api/v1/cases/{cid}/entities",
                json={"schema": schema, "properties": props},
            )["id"]
        )

    asif, karim, tariq = who("Muhammad Asif Khan"), who("Haji Karim Baloch"), who("Tariq Mehmood")
    naveed, reza, gul = who("Naveed Iqbal"), who("Reza Ahmadi"), who("Gul Wali Stanikzai")
    sherzad, emre, qasim = who("Sherzad Hawrami"), who("Emre Kaplan"), who("Qasim Ali")
    add("Associate", person=[karim], associate=[asif], relationship=["organiser of"])
    add("Associate", person=[asif], associate=[tariq], relationship=["runs recruiter"])
    add("Associate", person=[asif], associate=[naveed], relationship=["runs recruiter"])
    add("Associate", person=[asif], associate=[reza], relationship=["pays driver"])
    add("Associate", person=[reza], associate=[gul], relationship=["hands over groups"])
    add("Associate", person=[gul], associate=[sherzad], relationship=["hands over groups"])
    add("Associate", person=[sherzad], associate=[emre], relationship=["hands over groups"])
    add(
        "Payment",
        payer=[asif],
        beneficiary=[qasim],
        amount=["7500000"],
        currency=["PKR"],
        date=["2026-04-28"],
        purpose=["hawala deposit for 3 migrants (fictional)"],
    )
    add(
        "Payment",
        payer=[qasim],
        beneficiary=[gul],
        amount=["2400"],
        currency=["EUR"],
        date=["2026-05-06"],
        purpose=["hawala payout in Urmia (fictional)"],
    )
    add("Call", caller=[asif], receiver=[reza], date=["2026-05-02T22:14:00"], duration=["184"])
    add("Call", caller=[reza], receiver=[gul], date=["2026-05-04T03:40:00"], duration=["62"])
    add("Call", caller=[sherzad], receiver=[emre], date=["2026-05-09T19:05:00"], duration=["95"])
    gujrat = add("Address", full=["Gujrat, Punjab, Pakistan"], city=["Gujrat"], country=["pk"])
    van = add("Address", full=["Van, Türkiye"], city=["Van"], country=["tr"])
    minibus = add("Vehicle", registrationNumber=["QTA-5512"], type=["minibus"], country=["pk"])
    add(
        "Trip",
        name=["Group of 12, Gujrat to Van"],
        startLocation=[gujrat],
        endLocation=[van],
        startDate=["2026-05-01"],
        endDate=["2026-05-10"],
        vehicle=[minibus],
        involved=[reza],
    )
    device = add(
        "MobileDevice",
        imeiNumber=["490154203237518"],
        phoneNumber=["+923005550147"],
        holder=[asif],
        make=["Samsung A14 (seized)"],
    )
    add(
        "UserAccount",
        username=["@dunki_europe_2026"],
        service=["Telegram"],
        owner=[asif],
        summary=["Advertises 'Europe by road, pay on arrival' (fictional)"],
    )
    add(
        "Vessel",
        name=["Deniz Yildizi"],
        flag=["tr"],
        type=["fishing boat"],
        description=["Used for departures from the Izmir coast (fictional)"],
    )
    pk.call("POST", "/api/v1/entities/dedupe", json={"case": cid})
    if "tr-jandarma" in node_ids:
        pk.call(
            "POST",
            "/api/v1/entities/share",
            json={
                "entities": [asif, device],
                "to": [node_ids["tr-jandarma"]],
                "title": "Coordinator of the Gujrat–Van network (fictional)",
                "note": "Shared for your investigation in Van; H2: ask before passing on.",
                "tlp": "AMBER",
                "handling": "H2",
                "purpose": "enforcement",
            },
        )
