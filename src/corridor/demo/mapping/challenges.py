"""The demo's national and regional challenges, six per agency, each recorded by its agency for
every partner. The places are real, the findings fictional; dates are relative to today, so
that some reviews are due and some overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from corridor.demo.mapping.routes import CENTRAL, EASTERN
from corridor.demo.seeding import days_from


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def _line(*coords: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


@dataclass(frozen=True)
class Challenge:
    title: str
    description: str
    theme: str
    countries: tuple[str, ...]
    severity: str
    trend: str
    status: str
    owner: str
    identified: int  # days ago
    review: int | None = None  # days from today (negative: the review is overdue)
    routes: tuple[tuple[str, tuple[int, ...]], ...] = ()
    locations: tuple[tuple[str, dict[str, Any]], ...] = ()
    evidence: tuple[tuple[str, str, str], ...] = ()  # kind, title, url path
    regions: tuple[str, ...] = ()
    tlp: str = "GREEN"


CHALLENGES: dict[str, tuple[Challenge, ...]] = {
    "pk-fia": (
        Challenge(
            title="Counterfeit Schengen visas from print shops in Quetta and Rawalpindi",
            description="Visa vignettes printed on stolen blanks sell for PKR 350,000; used "
            "on the Iran route and for flights to the Gulf. (demo)",
            theme="fraudulent_documents",
            countries=("PK", "IR"),
            severity="high",
            trend="increasing",
            status="open",
            owner="FIA Anti-Human Smuggling Circle, Islamabad",
            identified=210,
            review=-20,
            routes=((EASTERN, (0,)),),
            locations=(("Quetta print market", _point(66.99, 30.19)),),
            evidence=(("document", "Seizure report, 42 vignettes", "pk/visa-vignettes"),),
        ),
        Challenge(
            title="'Europe by road' packages advertised in TikTok and Facebook groups",
            description="Agents in Gujrat and Mandi Bahauddin post videos of earlier journeys "
            "and take bookings by WhatsApp; payment on arrival through hawala. (demo)",
            theme="digital_smuggling",
            countries=("PK",),
            severity="high",
            trend="increasing",
            status="being_addressed",
            owner="FIA Cyber Crime Wing (fictional)",
            identified=150,
            review=40,
            routes=((EASTERN, ()), (CENTRAL, ())),
            regions=("Punjab",),
            evidence=(("link", "Monitoring note on 120 adverts", "pk/adverts-2026"),),
        ),
        Challenge(
            title="Unguarded sections of the Balochistan border around Taftan",
            description="Groups of 10-30 walk across at night south of the Taftan crossing; "
            "too few patrols for a 900 km border. (demo)",
            theme="border_vulnerabilities",
            countries=("PK", "IR"),
            severity="critical",
            trend="stable",
            status="open",
            owner="Risk Analysis Unit",
            identified=300,
            review=-45,
            routes=((EASTERN, (0,)),),
            locations=(
                ("Taftan crossing", _point(61.6, 28.96)),
                ("Border south of Taftan", _line((61.55, 29.0), (61.9, 28.6), (62.4, 28.3))),
            ),
            regions=("Balochistan",),
        ),
        Challenge(
            title="Smuggling fees paid through hawala in Gujrat and Mandi Bahauddin",
            description="Deposits of PKR 2-2.5 million per migrant, released in instalments "
            "as stages of the journey are reached. (demo)",
            theme="financial_flows",
            countries=("PK", "IR", "TR"),
            severity="high",
            trend="increasing",
            status="monitoring",
            owner="Risk Analysis Unit",
            identified=120,
            tlp="AMBER",
            evidence=(("indicator", "Suspicious transaction reports, Q3", "pk/str-q3"),),
        ),
        Challenge(
            title="Late passenger information on Dubai–Benghazi transit passengers",
            description="Airlines share passenger lists after departure; groups leave Lahore "
            "on visit visas before anyone can check them. (demo)",
            theme="cooperation_gaps",
            countries=("PK", "AE", "LY"),
            severity="medium",
            trend="increasing",
            status="open",
            owner="International Cooperation Desk",
            identified=90,
            review=60,
            routes=((CENTRAL, (0, 1)),),
            locations=(("Allama Iqbal International Airport, Lahore", _point(74.4, 31.52)),),
        ),
        Challenge(
            title="Families of missing migrants have no referral channel",
            description="Relatives report missing sons to local police stations; reports do "
            "not reach partners or humanitarian tracing services. (demo)",
            theme="victim_protection",
            countries=("PK",),
            severity="medium",
            trend="stable",
            status="open",
            owner="Migrant Protection Desk",
            identified=60,
        ),
    ),
    "tr-jandarma": (
        Challenge(
            title="Night crossings from Iran into Van province between Özalp and Saray",
            description="Guides bring groups over the mountains; snow closes the passes only "
            "for a few weeks a year. (demo)",
            theme="border_vulnerabilities",
            countries=("TR", "IR"),
            severity="critical",
            trend="increasing",
            status="open",
            owner="Migrant Smuggling and Human Trafficking Unit, Van",
            identified=240,
            review=-10,
            routes=((EASTERN, (1,)),),
            locations=(
                (
                    "Özalp–Saray border section",
                    _line((44.25, 38.35), (44.45, 38.7), (44.22, 39.05)),
                ),
            ),
            regions=("Van",),
            evidence=(("alert", "Weekly apprehension figures, Van", "tr/van-weekly"),),
        ),
        Challenge(
            title="Reception capacity in Van far below apprehensions",
            description="Groups apprehended at night wait for transfer in gendarmerie posts "
            "not built for it. (demo)",
            theme="capacity",
            countries=("TR",),
            severity="high",
            trend="stable",
            status="being_addressed",
            owner="Liaison Office",
            identified=200,
            review=30,
        ),
        Challenge(
            title="Counterfeit Greek and Italian residence permits sold in Istanbul",
            description="Permits with the same laminate defect seen at Istanbul airport and on "
            "coaches to Edirne. (demo)",
            theme="fraudulent_documents",
            countries=("TR", "GR", "IT"),
            severity="high",
            trend="increasing",
            status="monitoring",
            owner="Risk Analysis Unit",
            identified=100,
            routes=((EASTERN, (2, 3)),),
            locations=(("Istanbul Airport", _point(28.75, 41.26)),),
            evidence=(("document", "Description of the laminate defect", "tr/permit-defect"),),
            tlp="AMBER",
        ),
        Challenge(
            title="Boat departures from the Ayvalık and Çeşme coast organised on Telegram",
            description="Channels post departure times and prices; buyers are told where to "
            "wait for a minibus. (demo)",
            theme="digital_smuggling",
            countries=("TR", "GR"),
            severity="high",
            trend="increasing",
            status="open",
            owner="Risk Analysis Unit",
            identified=80,
            review=20,
            routes=((EASTERN, (4,)),),
            locations=(("Ayvalık coast", _point(26.69, 39.32)), ("Çeşme", _point(26.3, 38.32))),
        ),
        Challenge(
            title="Penalties for smuggling do not reach online facilitators",
            description="Administrators of advertising channels are rarely prosecuted: the "
            "law requires proof of a completed crossing. (demo)",
            theme="legal_framework",
            countries=("TR",),
            severity="medium",
            trend="stable",
            status="open",
            owner="Liaison Office",
            identified=160,
        ),
        Challenge(
            title="Unaccompanied minors among apprehended groups",
            description="One in ten apprehended in Van says they are under 18; age assessment "
            "and guardianship take weeks. (demo)",
            theme="victim_protection",
            countries=("TR", "IR"),
            severity="high",
            trend="increasing",
            status="open",
            owner="Migrant Smuggling and Human Trafficking Unit, Van",
            identified=70,
            review=-5,
        ),
    ),
    "gr-hcg": (
        Challenge(
            title="Night landings of inflatable boats on northern Lesvos",
            description="Boats launched north of Ayvalık land within an hour; smugglers leave "
            "them before reaching the shore. (demo)",
            theme="border_vulnerabilities",
            countries=("GR", "TR"),
            severity="high",
            trend="stable",
            status="being_addressed",
            owner="Directorate against Smuggling, Piraeus",
            identified=280,
            review=-30,
            routes=((EASTERN, (4,)),),
            locations=(("Northern Lesvos coast", _point(26.17, 39.37)),),
            regions=("North Aegean",),
            evidence=(("alert", "Aerial surveillance summary", "gr/lesvos-air"),),
        ),
        Challenge(
            title="Crossings of the Evros sold with 'guarantee' packages on Telegram",
            description="Three attempts for one price; videos of successful crossings used as "
            "advertising. (demo)",
            theme="digital_smuggling",
            countries=("GR", "TR"),
            severity="high",
            trend="increasing",
            status="monitoring",
            owner="Risk Analysis Unit",
            identified=130,
            routes=((EASTERN, (3,)),),
            locations=(
                ("Evros river section", _line((26.36, 41.72), (26.6, 41.35), (26.35, 41.0))),
            ),
        ),
        Challenge(
            title="Forged ID cards used on ferries from Patras to Italy",
            description="Good-quality forgeries of EU identity cards; holders travel as "
            "tourists. (demo)",
            theme="fraudulent_documents",
            countries=("GR", "IT"),
            severity="medium",
            trend="increasing",
            status="open",
            owner="Risk Analysis Unit",
            identified=110,
            review=50,
            locations=(("Port of Patras", _point(21.73, 38.25)),),
            tlp="AMBER",
        ),
        Challenge(
            title="Departures from eastern Libya towards Crete",
            description="Fishing boats from Tobruk reach the waters south of Gavdos in two "
            "days; arrivals tripled this year. (demo)",
            theme="border_vulnerabilities",
            countries=("GR", "LY"),
            severity="critical",
            trend="increasing",
            status="open",
            owner="Directorate against Smuggling, Piraeus",
            identified=90,
            review=-7,
            locations=(("South of Gavdos", _point(24.08, 34.7)),),
            evidence=(("link", "Arrivals in Crete, monthly", "gr/crete-arrivals"),),
        ),
        Challenge(
            title="Screening capacity for victims of trafficking on the islands",
            description="Too few trained staff to identify victims at first reception on "
            "Lesvos, Samos and Kos. (demo)",
            theme="victim_protection",
            countries=("GR",),
            severity="medium",
            trend="stable",
            status="being_addressed",
            owner="International Cooperation Office",
            identified=180,
            review=-60,
        ),
        Challenge(
            title="Slow answers to maritime information requests",
            description="Requests about vessels sighted near the sea border took two weeks to "
            "answer; now a 48-hour channel. (demo)",
            theme="cooperation_gaps",
            countries=("GR", "TR"),
            severity="low",
            trend="decreasing",
            status="resolved",
            owner="International Cooperation Office",
            identified=250,
        ),
    ),
    "it-sco": (
        Challenge(
            title="Departures from Zuwara and Sabratha to Lampedusa",
            description="Small metal boats with 40-50 people, launched in calm weather; many "
            "passengers flew to Benghazi first. (demo)",
            theme="border_vulnerabilities",
            countries=("IT", "LY"),
            severity="critical",
            trend="increasing",
            status="open",
            owner="Immigration and Border Police Investigations",
            identified=260,
            review=-15,
            routes=((CENTRAL, (4, 5)),),
            locations=(("Lampedusa", _point(12.6, 35.5)), ("Zuwara beach", _point(12.08, 32.93))),
            evidence=(("alert", "Arrivals in Lampedusa, weekly", "it/lampedusa-weekly"),),
        ),
        Challenge(
            title="Large fishing boats from Tobruk towards Sicily and Calabria",
            description="Boats carrying several hundred people, many from Pakistan and "
            "Bangladesh, arrive after four days at sea. (demo)",
            theme="border_vulnerabilities",
            countries=("IT", "LY"),
            severity="high",
            trend="increasing",
            status="monitoring",
            owner="Risk Analysis Unit",
            identified=140,
            routes=((CENTRAL, (2, 3)),),
        ),
        Challenge(
            title="Pakistani nationals transiting Dubai and Benghazi on visit visas",
            description="Travel agencies sell a flight and visa package; no check links the "
            "visa to the onward journey. (demo)",
            theme="cooperation_gaps",
            countries=("IT", "PK", "AE", "LY"),
            severity="high",
            trend="increasing",
            status="open",
            owner="Risk Analysis Unit",
            identified=120,
            review=30,
            routes=((CENTRAL, (0, 1)),),
        ),
        Challenge(
            title="Smuggling fees paid through hawala and crypto wallets",
            description="Fees collected in Pakistan are settled in Libya through hawala "
            "brokers and stablecoin transfers. (demo)",
            theme="financial_flows",
            countries=("IT", "LY", "PK"),
            severity="medium",
            trend="increasing",
            status="open",
            owner="Immigration and Border Police Investigations",
            identified=75,
            tlp="AMBER",
        ),
        Challenge(
            title="Fake Italian work permits sold online",
            description="Forged nulla osta documents under the seasonal work quota, sold "
            "through social media pages. (demo)",
            theme="fraudulent_documents",
            countries=("IT", "PK"),
            severity="high",
            trend="stable",
            status="being_addressed",
            owner="Risk Analysis Unit",
            identified=200,
            review=-25,
            evidence=(("document", "Features of the forged permits", "it/nulla-osta"),),
        ),
        Challenge(
            title="Identifying victims of trafficking among arrivals at Lampedusa",
            description="Women and minors moved on quickly to mainland centres before an "
            "interview in a safe setting. (demo)",
            theme="victim_protection",
            countries=("IT",),
            severity="high",
            trend="stable",
            status="open",
            owner="Immigration and Border Police Investigations",
            identified=50,
        ),
    ),
    "bg-bp": (
        Challenge(
            title="Cuts in the border fence near Lesovo",
            description="Fence sections cut and repaired within days; groups wait in the "
            "forest on the other side. (demo)",
            theme="border_vulnerabilities",
            countries=("BG", "TR"),
            severity="high",
            trend="stable",
            status="being_addressed",
            owner="Investigations Sector, Svilengrad",
            identified=230,
            review=-12,
            locations=(
                ("Fence section near Lesovo", _line((26.5, 41.99), (26.62, 41.96), (26.8, 41.93))),
            ),
        ),
        Challenge(
            title="Too few lorry scanners at Kapitan Andreevo",
            description="One scanner for up to 3,000 lorries a day; people hidden in loads "
            "found mostly by chance. (demo)",
            theme="capacity",
            countries=("BG",),
            severity="medium",
            trend="stable",
            status="open",
            owner="Investigations Sector, Svilengrad",
            identified=170,
            locations=(("Kapitan Andreevo crossing", _point(26.31, 41.72)),),
        ),
        Challenge(
            title="Drivers recruited through job adverts on social media",
            description="Well-paid 'delivery' jobs advertised to young drivers who then carry "
            "migrants from the border to Sofia. (demo)",
            theme="digital_smuggling",
            countries=("BG", "TR"),
            severity="medium",
            trend="increasing",
            status="open",
            owner="Investigations Sector, Svilengrad",
            identified=95,
            tlp="AMBER",
        ),
        Challenge(
            title="Forged Bulgarian residence cards",
            description="A workshop producing cards was dismantled; few new cases since. (demo)",
            theme="fraudulent_documents",
            countries=("BG",),
            severity="low",
            trend="decreasing",
            status="resolved",
            owner="Investigations Sector, Svilengrad",
            identified=320,
        ),
    ),
}


def challenge_body(
    c: Challenge, to: list[str], route_ids: dict[str, str], today: date
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": c.title,
        "description": c.description,
        "theme": c.theme,
        "countries": list(c.countries),
        "regions": list(c.regions),
        "severity": c.severity,
        "trend": c.trend,
        "status": c.status,
        "owner": c.owner,
        "identified": days_from(today, -c.identified),
        "routes": [
            {"route": route_ids[key], "legs": list(legs)}
            for key, legs in c.routes
            if key in route_ids
        ],
        "locations": [{"name": name, "geometry": geom} for name, geom in c.locations],
        "evidence": [
            {"kind": kind, "title": title, "url": f"https://example.org/demo/{path}"}
            for kind, title, path in c.evidence
        ],
        "tlp": c.tlp,
        "to": to,
    }
    if c.review is not None:
        body["review_date"] = days_from(today, c.review)
    return body
