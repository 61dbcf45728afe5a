"""Demo guidance data: routes, national and regional challenges and the four thematic
commitments with members' actions and progress, along the Pakistan → Iran → Türkiye → Greece and
Pakistan → UAE → Libya → Italy routes. Written through the real REST API of the running demo
nodes, so every record is signed, shared and delivered as in daily use.

Everything here is fictional: the places are real, the findings, people and numbers are not.
Dates are relative to today, so the demo always shows recent work, due and overdue milestones."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

# Who records the guidance data at each agency: the analyst, or the liaison officer where the
# demo agency has no analyst. Both hold "mapping.write".
WRITER = {"bg-bp": "liaison.officer"}
COUNTRY = {"pk-fia": "PK", "tr-jandarma": "TR", "gr-hcg": "GR", "it-sco": "IT", "bg-bp": "BG"}
DELIVERY_TIMEOUT = 30.0  # seconds a partner's record may take to arrive before we give up

EASTERN = "eastern"
CENTRAL = "central"

# (lon, lat) of the hubs; the points are approximate and only serve to draw the routes.
QUETTA = {"country": "PK", "hub": "Quetta", "point": [66.99, 30.18]}
ZAHEDAN = {"country": "IR", "hub": "Zahedan (via Taftan)", "point": [60.86, 29.49]}
VAN = {"country": "TR", "hub": "Van", "point": [43.38, 38.49]}
ISTANBUL = {"country": "TR", "hub": "Istanbul", "point": [28.98, 41.01]}
EVROS = {"country": "GR", "hub": "Evros (from Edirne)", "point": [26.29, 40.94]}
AYVALIK = {"country": "TR", "hub": "Ayvalık coast", "point": [26.69, 39.32]}
LESVOS = {"country": "GR", "hub": "Lesvos", "point": [26.3, 39.2]}
LAHORE = {"country": "PK", "hub": "Lahore / Karachi", "point": [74.35, 31.55]}
DUBAI = {"country": "AE", "hub": "Dubai", "point": [55.27, 25.2]}
BENGHAZI = {"country": "LY", "hub": "Benghazi", "point": [20.07, 32.12]}
TOBRUK = {"country": "LY", "hub": "Tobruk", "point": [23.96, 32.08]}
ZUWARA = {"country": "LY", "hub": "Zuwara", "point": [12.08, 32.93]}
SICILY = {"country": "IT", "hub": "Sicily (Augusta)", "point": [15.22, 37.23]}
LAMPEDUSA = {"country": "IT", "hub": "Lampedusa", "point": [12.6, 35.5]}


def _leg(start: dict[str, Any], end: dict[str, Any], mode: str, note: str) -> dict[str, Any]:
    return {"from": start, "to": end, "mode": mode, "note": note}


ROUTES: dict[str, dict[str, Any]] = {
    EASTERN: {
        "name": "Pakistan – Iran – Türkiye – Greece",
        "description": "Overland from Balochistan through Sistan-Baluchestan to Van, on to "
        "Istanbul, then across the Evros or by sea to the Aegean islands. Fictional demo data.",
        "legs": [
            _leg(QUETTA, ZAHEDAN, "land", "Pick-ups to Taftan, on foot across the border."),
            _leg(ZAHEDAN, VAN, "land", "Buses and lorries to Urmia, on foot into Van province."),
            _leg(VAN, ISTANBUL, "land", "Long-distance coaches with forged travel permits."),
            _leg(ISTANBUL, EVROS, "land", "Taxis to Edirne, crossings of the river at night."),
            _leg(AYVALIK, LESVOS, "sea", "Inflatable boats from the coast north of Ayvalık."),
        ],
    },
    CENTRAL: {
        "name": "Pakistan – UAE – Libya – Italy",
        "description": "Flights from Lahore or Karachi through Dubai to Benghazi on visit "
        "visas, then by sea from eastern or western Libya to Italy. Fictional demo data.",
        "legs": [
            _leg(LAHORE, DUBAI, "air", "Visit visas bought as a package with the ticket."),
            _leg(DUBAI, BENGHAZI, "air", "Charter and scheduled flights into eastern Libya."),
            _leg(BENGHAZI, TOBRUK, "land", "Held in warehouses until a boat is full."),
            _leg(TOBRUK, SICILY, "sea", "Large fishing boats with several hundred people."),
            _leg(BENGHAZI, ZUWARA, "land", "Transfers across Libya by road."),
            _leg(ZUWARA, LAMPEDUSA, "sea", "Small metal boats from the western coast."),
        ],
    },
}


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


def _c(**kw: Any) -> Challenge:
    return Challenge(**kw)


CHALLENGES: dict[str, tuple[Challenge, ...]] = {
    "pk-fia": (
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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
        _c(
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

COMMITMENTS: tuple[dict[str, str], ...] = (
    {
        "theme": "fraudulent_documents",
        "title": "Detect and report fraudulent travel and residence documents",
        "text": "Members equip and train their first-line officers to detect fraudulent "
        "documents and report every new type to partners within 48 hours. (demo)",
    },
    {
        "theme": "digital_smuggling",
        "title": "Counter the online advertising of smuggling services",
        "text": "Members monitor the platforms smugglers use, refer adverts for removal and "
        "share the accounts behind them with partners. (demo)",
    },
    {
        "theme": "border_vulnerabilities",
        "title": "Close the gaps at the most exposed border sections",
        "text": "Members assess their most exposed border sections together and report the "
        "measures taken and their effect. (demo)",
    },
    {
        "theme": "victim_protection",
        "title": "Put victims and vulnerable migrants first",
        "text": "Members screen for victims of trafficking and vulnerable migrants at first "
        "contact and refer them to protection within 24 hours. (demo)",
    },
)


@dataclass(frozen=True)
class ActionPlan:
    title: str  # {places} is the member's own crossing points
    description: str
    milestones: tuple[tuple[str, int], ...]  # title, due in days from today
    indicators: tuple[tuple[str, str, float, float], ...]  # name, unit, baseline, target


ACTIONS: dict[str, tuple[ActionPlan, ...]] = {
    "fraudulent_documents": (
        ActionPlan(
            "Document examination desks at {places}",
            "UV and infrared lamps, magnifiers and reference material at every desk. (demo)",
            (
                ("Desks equipped", -230),
                ("First-line officers trained", -40),
                ("All desks connected to the alert channel", 90),
            ),
            (
                ("Officers trained in first-line checks", "officers", 0, 120),
                ("Fraudulent documents detected per quarter", "documents", 40, 90),
            ),
        ),
        ActionPlan(
            "Reports of new fraudulent document types to partners",
            "Every new type is described with images and shared within 48 hours. (demo)",
            (("Reporting template agreed", -180), ("Reports sent within 48 hours", 120)),
            (("Share of reports sent within 48 hours", "%", 20, 90),),
        ),
    ),
    "digital_smuggling": (
        ActionPlan(
            "Monitoring cell for smuggling adverts",
            "Analysts follow the platforms and groups used in {places} and refer adverts for "
            "removal. (demo)",
            (
                ("Monitoring cell staffed", -200),
                ("Referral channel agreed with two platforms", -30),
                ("Monthly report to partners", 60),
            ),
            (
                ("Adverts referred for removal", "adverts", 0, 600),
                ("Median days to removal", "days", 14, 3),
            ),
        ),
        ActionPlan(
            "Digital evidence training for investigators",
            "Seizure and analysis of phones and messaging accounts. (demo)",
            (("Course designed with partners", -150), ("Two courses held", 150)),
            (("Investigators trained", "investigators", 0, 40),),
        ),
    ),
    "border_vulnerabilities": (
        ActionPlan(
            "Joint risk analysis of the border sections at {places}",
            "With neighbouring services: patrol data, apprehensions, terrain. (demo)",
            (
                ("Data sharing agreed", -210),
                ("Joint assessment published", -20),
                ("Measures reviewed", 180),
            ),
            (("Border sections assessed", "sections", 0, 12),),
        ),
        ActionPlan(
            "Night surveillance at {places}",
            "Thermal cameras and mobile units on the most used sections. (demo)",
            (("Cameras procured", -120), ("Mobile units operational", 100)),
            (
                ("Share of the exposed sections under night surveillance", "%", 15, 80),
                ("Undetected crossings per month (estimate)", "crossings", 400, 150),
            ),
        ),
    ),
    "victim_protection": (
        ActionPlan(
            "Screening for vulnerability at first contact in {places}",
            "A short screening by trained officers and referral to protection partners. (demo)",
            (
                ("Screening form adopted", -190),
                ("Officers trained in screening", -35),
                ("Referral agreements signed", 75),
            ),
            (
                ("Share of apprehended people screened", "%", 10, 95),
                ("Referrals within 24 hours", "%", 20, 90),
            ),
        ),
        ActionPlan(
            "Referral channel for families of missing migrants",
            "One contact point that passes reports to partners and tracing services. (demo)",
            (("Contact point designated", -100), ("Procedure published", 45)),
            (("Reports passed on within a week", "%", 0, 100),),
        ),
    ),
}
PLACES = {
    "PK": "Taftan and Lahore airport",
    "TR": "Van and Kapıköy",
    "GR": "Evros and Lesvos",
    "IT": "Lampedusa and Augusta",
    "BG": "Kapitan Andreevo and Lesovo",
}
OWNERS = {
    "pk-fia": "FIA Immigration Wing (demo)",
    "tr-jandarma": "Jandarma Van Provincial Command (demo)",
    "gr-hcg": "Hellenic Coast Guard, Piraeus (demo)",
    "it-sco": "Immigration and Border Police Directorate (demo)",
    "bg-bp": "Border Police, Svilengrad (demo)",
}
# How far along each member is (share of the way from baseline to target), by member and plan.
SHARES = (0.55, 0.3, 0.7, 0.2, 0.45, 0.8, 0.35)


def _days(today: date, n: int) -> str:
    return (today + timedelta(days=n)).isoformat()


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(p for p in out.split("-") if p)[:40].strip("-")


class DemoApi:
    """One demo user's API session on one node."""

    def __init__(self, slug: str, url: str, token: str) -> None:
        self.slug = slug
        self.http = httpx.Client(
            base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )

    def call(self, method: str, path: str, **kw: Any) -> Any:
        r = self.http.request(method, path, **kw)
        if r.status_code >= 400:
            raise RuntimeError(f"demo: {method} {path} at {self.slug}: {r.status_code} {r.text}")
        return r.json() if r.content else None

    def wait_for(self, path: str) -> None:
        """Poll until a partner's record has arrived here (delivery is pushed on commit, so
        this takes a moment, never a fixed sleep)."""
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        delay = 0.05
        while True:
            r = self.http.get(path)
            if r.status_code == 200:
                return
            if r.status_code != 404 or time.monotonic() > deadline:
                raise RuntimeError(
                    f"demo: {path} did not reach {self.slug}: {r.status_code} {r.text}"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def close(self) -> None:
        self.http.close()


def seed_guidance(
    urls: dict[str, str],
    token_for: Callable[[str, str], str],
    node_ids: dict[str, str],
    domains: dict[str, str],
) -> None:
    """urls/domains by agency slug; token_for(slug, email) gives a short-lived API token.
    Agencies that are not running are skipped, and so is what needs them."""
    present = [s for s in urls if s in node_ids and s in domains]
    if not present:
        return
    today = datetime.now(UTC).date()
    # One at a time: token_for may open the node's store, which is not meant for threads.
    tokens = {s: token_for(s, f"{WRITER.get(s, 'analyst')}@{domains[s]}") for s in present}
    with ThreadPoolExecutor(max_workers=len(present)) as pool:
        apis = {s: DemoApi(s, urls[s], tokens[s]) for s in present}
        try:
            others = {s: [node_ids[o] for o in present if o != s] for s in present}
            coordinator = "it-sco" if "it-sco" in present else present[0]
            routes_at = pool.submit(_routes, apis.get("pk-fia"), others.get("pk-fia", []))
            commitments_at = pool.submit(
                _commitments, apis[coordinator], others[coordinator], present, today
            )
            route_ids = routes_at.result()
            commitment_ids = commitments_at.result()
            work = [
                pool.submit(
                    _member,
                    apis[s],
                    s,
                    index,
                    others[s],
                    route_ids,
                    commitment_ids,
                    today,
                )
                for index, s in enumerate(present)
            ]
            for w in work:
                w.result()
        finally:
            for api in apis.values():
                api.close()


def _routes(pk: DemoApi | None, to: list[str]) -> dict[str, str]:
    if pk is None:
        return {}
    return {
        key: str(pk.call("POST", "/api/v1/routes", json={**route, "tlp": "GREEN", "to": to})["id"])
        for key, route in ROUTES.items()
    }


def _commitments(
    api: DemoApi, to: list[str], present: list[str], today: date
) -> list[tuple[str, str]]:
    """The four thematic commitments; returns (theme, id) pairs."""
    countries = sorted({COUNTRY[s] for s in present if s in COUNTRY})
    out = []
    for c in COMMITMENTS:
        created = api.call(
            "POST",
            "/api/v1/commitments",
            json={
                **c,
                "adopted": _days(today, -320),
                "ends": _days(today, 730),
                "countries": countries,
                "tlp": "GREEN",
                "to": to,
            },
        )
        out.append((c["theme"], str(created["id"])))
    return out


def _member(
    api: DemoApi,
    slug: str,
    index: int,
    to: list[str],
    route_ids: dict[str, str],
    commitment_ids: list[tuple[str, str]],
    today: date,
) -> None:
    """One member's own records: its challenges, its endorsements, its actions and updates."""
    # A challenge may only cite a route its node holds: wait for pk-fia's routes to arrive.
    if slug != "pk-fia":
        for rid in route_ids.values():
            api.wait_for(f"/api/v1/routes/{rid}")
    for c in CHALLENGES.get(slug, ()):
        api.call("POST", "/api/v1/challenges", json=_challenge_body(c, slug, to, route_ids, today))
    country = COUNTRY.get(slug, "")
    for t, (theme, cid) in enumerate(commitment_ids):
        api.wait_for(f"/api/v1/commitments/{cid}")
        api.call(
            "POST",
            f"/api/v1/commitments/{cid}/endorse",
            json={"note": f"Endorsed at the ministerial conference (demo, {country})."},
        )
        plans = ACTIONS[theme]
        # Every member takes the first action of each commitment; every other one a second.
        for p, plan in enumerate(plans[: 2 if (index + t) % 2 == 0 else 1]):
            _action(api, cid, plan, index, t, p, country, today)


def _challenge_body(
    c: Challenge, slug: str, to: list[str], route_ids: dict[str, str], today: date
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
        "identified": _days(today, -c.identified),
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
        body["review_date"] = _days(today, c.review)
    return body


def _action(
    api: DemoApi,
    cid: str,
    plan: ActionPlan,
    index: int,
    t: int,
    p: int,
    country: str,
    today: date,
) -> None:
    share = SHARES[(index + t + p) % len(SHARES)]
    milestones = []
    for k, (title, due) in enumerate(plan.milestones):
        m: dict[str, Any] = {"id": _slug(title), "title": title, "due": _days(today, due)}
        # Reached on time, except about one in four, varying per member: those stay open and
        # show as overdue on the dashboard (the first member's first action always has one).
        if due < 0 and (index + t + p + k) % 4 != 1:
            m["done_on"] = _days(today, due - 3)
        milestones.append(m)
    indicators: list[dict[str, Any]] = [
        {"id": _slug(name), "name": name, "unit": unit, "baseline": base, "target": target}
        for name, unit, base, target in plan.indicators
    ]
    places = PLACES.get(country, "the main crossing points")
    action = api.call(
        "POST",
        f"/api/v1/commitments/{cid}/actions",
        json={
            "title": plan.title.format(places=places),
            "description": plan.description.format(places=places),
            "owner": OWNERS.get(api.slug, "National focal point (demo)"),
            "milestones": milestones,
            "indicators": indicators,
        },
    )
    if p:
        return  # progress updates on the first action of each commitment: a few, not all
    values = {
        i["id"]: round(i["baseline"] + share * (i["target"] - i["baseline"]), 1) for i in indicators
    }
    api.call(
        "POST",
        f"/api/v1/commitments/{cid}/actions/{action['id']}/updates",
        json={
            "on": _days(today, -(7 + 5 * index + t)),
            "text": f"Progress for the quarter: {round(share * 100)} % of the way to the "
            "targets. (demo)",
            "values": values,
            "evidence": [
                {
                    "kind": "link",
                    "title": "Quarterly progress note",
                    "url": f"https://example.org/demo/{api.slug}/progress-{t + 1}",
                }
            ],
        },
    )
