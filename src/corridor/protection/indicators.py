"""What a protection screening asks, grouped as the field's guidance groups it.

- Indicators of trafficking in persons (UNODC's and ILO's lists of indicators: deception,
  coercion, exploitation); a smuggled person may also be a victim of trafficking.
- Aggravating circumstances of smuggling (Smuggling of Migrants Protocol, art. 6(3)): life or
  safety endangered, inhuman or degrading treatment, including for exploitation.
- Vulnerability as IOM's Determinants of Migrant Vulnerability model reads it: risk and
  protective factors at the individual, household, community and structural level. Never a
  single score: each level is shown with the factors present on either side.

Each item has a prompt for the interviewer, worded to be asked gently (trauma-informed: the
person may decline any question, and "declined" is an answer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from corridor.i18n import N_

Group = Literal["trafficking", "aggravated", "vulnerability"]
Level = Literal["individual", "household", "community", "structural"]
Side = Literal["risk", "protective"]
Answer = Literal["yes", "no", "unknown", "declined"]
ANSWERS: tuple[str, ...] = ("yes", "no", "unknown", "declined")
ANSWER_LABELS = {
    "yes": N_("Yes"),
    "no": N_("No"),
    "unknown": N_("Not known"),
    "declined": N_("Declined to answer"),
}
GROUP_LABELS = {
    "trafficking": N_("Indicators of trafficking in persons"),
    "aggravated": N_("Aggravated smuggling"),
    "vulnerability": N_("Vulnerability: risk and protective factors"),
}
LEVEL_LABELS = {
    "individual": N_("Individual"),
    "household": N_("Household and family"),
    "community": N_("Community"),
    "structural": N_("Structural"),
}
SIDE_LABELS = {"risk": N_("Risk factors"), "protective": N_("Protective factors")}


@dataclass(frozen=True)
class Item:
    code: str
    group: Group
    label: str
    prompt: str
    level: Level | None = None  # vulnerability factors only
    side: Side | None = None


ITEMS: tuple[Item, ...] = (
    # --- trafficking in persons -------------------------------------------------------------
    Item(
        "deceived",
        "trafficking",
        N_("Deceived about the work, pay or conditions promised"),
        N_("Is the work or the life you found what you were told it would be?"),
    ),
    Item(
        "debt_bondage",
        "trafficking",
        N_("Owes a debt that keeps growing or cannot be repaid"),
        N_("Do you or your family owe money for the journey? Can it ever be paid off?"),
    ),
    Item(
        "documents_withheld",
        "trafficking",
        N_("Identity or travel documents taken by someone else"),
        N_("Who keeps your passport or identity card now?"),
    ),
    Item(
        "movement_restricted",
        "trafficking",
        N_("Not free to leave or to move about"),
        N_("Could you leave the place where you stayed or worked when you wanted?"),
    ),
    Item(
        "forced_work",
        "trafficking",
        N_("Made to work, beg or commit crimes"),
        N_("Did anyone make you work, or do things you did not want to do?"),
    ),
    Item(
        "sexual_exploitation",
        "trafficking",
        N_("Sexual exploitation"),
        N_("Only if the person raises it, or with a trained colleague: were you harmed sexually?"),
    ),
    Item(
        "threats_to_family",
        "trafficking",
        N_("Threats against the person or their family"),
        N_("Has anyone threatened you or your family at home?"),
    ),
    # --- aggravated smuggling -----------------------------------------------------------------
    Item(
        "life_endangered",
        "aggravated",
        N_("Life endangered: overcrowded boat, locked vehicle, desert crossing"),
        N_("Tell me about the journey, as much as you like: did you ever fear for your life?"),
    ),
    Item(
        "abandoned",
        "aggravated",
        N_("Abandoned at sea, in the desert or at a border"),
        N_("Did the people who brought you leave you somewhere on the way?"),
    ),
    Item(
        "violence",
        "aggravated",
        N_("Violence or inhuman treatment by smugglers"),
        N_("Did anyone hurt you or the people with you during the journey?"),
    ),
    Item(
        "extortion",
        "aggravated",
        N_("Held for ransom or extorted on the way"),
        N_("Were you or your family asked for more money while you were held?"),
    ),
    Item(
        "deaths_witnessed",
        "aggravated",
        N_("Saw people die or go missing"),
        N_("Was anyone you travelled with lost on the way? (You may leave this question.)"),
    ),
    # --- vulnerability: individual ---------------------------------------------------------
    Item(
        "health_condition",
        "vulnerability",
        N_("Illness, injury or disability"),
        N_("Are you hurt, ill, or do you need medicine or help to move?"),
        "individual",
        "risk",
    ),
    Item(
        "pregnancy",
        "vulnerability",
        N_("Pregnant or with a newborn"),
        N_("Only if the person raises it: are you expecting a child or caring for a baby?"),
        "individual",
        "risk",
    ),
    Item(
        "distress",
        "vulnerability",
        N_("Signs of trauma or severe distress"),
        N_("Observe rather than ask: sleeplessness, fear, confusion, withdrawal."),
        "individual",
        "risk",
    ),
    Item(
        "no_documents",
        "vulnerability",
        N_("Without any identity document"),
        N_("Do you have any paper that shows who you are?"),
        "individual",
        "risk",
    ),
    Item(
        "skills",
        "vulnerability",
        N_("Education, skills or a trade"),
        N_("What did you study, or what work do you know?"),
        "individual",
        "protective",
    ),
    Item(
        "resilience",
        "vulnerability",
        N_("Copes well, has plans and knows where to get help"),
        N_("What would help you most now?"),
        "individual",
        "protective",
    ),
    # --- vulnerability: household ----------------------------------------------------------
    Item(
        "family_separated",
        "vulnerability",
        N_("Separated from family on the way"),
        N_("Were you travelling with family? Where are they now?"),
        "household",
        "risk",
    ),
    Item(
        "dependants",
        "vulnerability",
        N_("Has children or relatives depending on them"),
        N_("Does anyone depend on you, here or at home?"),
        "household",
        "risk",
    ),
    Item(
        "family_support",
        "vulnerability",
        N_("A family that supports them and can be reached"),
        N_("Is there someone in your family you trust and can call?"),
        "household",
        "protective",
    ),
    # --- vulnerability: community ----------------------------------------------------------
    Item(
        "discrimination",
        "vulnerability",
        N_("Discriminated against as a member of a group"),
        N_("Have you been treated badly because of who you are?"),
        "community",
        "risk",
    ),
    Item(
        "isolated",
        "vulnerability",
        N_("No one here who speaks their language or knows them"),
        N_("Do you know anyone in this country?"),
        "community",
        "risk",
    ),
    Item(
        "community_support",
        "vulnerability",
        N_("A community or diaspora that can support them"),
        N_("Is there a community here or on your way that can help you?"),
        "community",
        "protective",
    ),
    # --- vulnerability: structural ---------------------------------------------------------
    Item(
        "conflict_or_persecution",
        "vulnerability",
        N_("Fled conflict, persecution or disaster"),
        N_("Why did you leave home? (Say that they need not answer.)"),
        "structural",
        "risk",
    ),
    Item(
        "no_legal_status",
        "vulnerability",
        N_("No legal status or way to regularise it"),
        N_("Do you know what you can apply for here?"),
        "structural",
        "risk",
    ),
    Item(
        "access_to_protection",
        "vulnerability",
        N_("Can reach asylum, legal aid or services here"),
        N_("Tell the person which services exist here and ask which they want."),
        "structural",
        "protective",
    ),
)
BY_CODE = {i.code: i for i in ITEMS}
VULNERABILITY_TYPES = tuple(i.code for i in ITEMS)
