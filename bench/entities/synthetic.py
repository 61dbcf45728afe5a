"""Synthetic persons for the duplicate-detection benchmark: South Asian, Afghan, Persian, Arab,
East African and European names in Latin and Arabic script, birth dates (some only estimated as
1 January), nationalities, some phones and passport numbers — and injected duplicates whose
truth is known. Nothing here describes a real person."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from followthemoney import EntityProxy

from corridor.entities.ftm import make_entity

# (Arabic-script form, Latin spellings). The first spelling is the most common one.
GIVEN = [
    ("محمد", ["Muhammad", "Mohammed", "Mohamed", "Mohammad", "Muhammed", "Mohd"]),
    ("احمد", ["Ahmed", "Ahmad"]), ("علی", ["Ali"]), ("حسین", ["Hussain", "Hussein", "Husain"]),
    ("حسن", ["Hassan", "Hasan"]), ("عمر", ["Omar", "Umar"]), ("عثمان", ["Usman", "Osman"]),
    ("یوسف", ["Yusuf", "Yousef", "Youssef"]), ("ابراهیم", ["Ibrahim", "Ebrahim"]),
    ("خالد", ["Khalid", "Khaled"]), ("طارق", ["Tariq", "Tarek"]), ("عمران", ["Imran"]),
    ("آصف", ["Asif", "Asef"]), ("جاوید", ["Javed", "Javaid"]), ("پرویز", ["Parvez", "Pervez"]),
    ("نوید", ["Naveed", "Navid"]), ("فیصل", ["Faisal", "Faysal"]), ("بلال", ["Bilal"]),
    ("زبیر", ["Zubair", "Zubeir"]), ("شاهد", ["Shahid"]), ("ساجد", ["Sajid"]),
    ("قاسم", ["Qasim", "Kasim"]), ("مصطفی", ["Mustafa", "Mostafa"]),
    ("عبدالله", ["Abdullah", "Abdulla"]), ("عبدالرحمن", ["Abdul Rahman", "Abdulrahman"]),
    ("سعید", ["Saeed", "Said"]), ("کریم", ["Karim", "Kareem"]), ("رحیم", ["Rahim", "Raheem"]),
    ("نادر", ["Nadir", "Nader"]), ("فرید", ["Farid", "Fareed"]), ("رضا", ["Reza", "Raza"]),
    ("مهدی", ["Mehdi", "Mahdi"]), ("امیر", ["Amir", "Aamir"]), ("ولی", ["Wali", "Vali"]),
    ("گل", ["Gul"]), ("نصیر", ["Naseer", "Nasir"]), ("وقاص", ["Waqas", "Waqqas"]),
    ("حمزه", ["Hamza", "Hamzah"]), ("اسد", ["Asad", "Assad"]), ("سلیم", ["Saleem", "Salim"]),
    ("رشید", ["Rashid", "Rasheed"]), ("مجید", ["Majid", "Majeed"]), ("ناصر", ["Nasser"]),
    ("جمال", ["Jamal", "Gamal"]), ("کامران", ["Kamran"]), ("عرفان", ["Irfan", "Erfan"]),
    ("فاطمه", ["Fatima", "Fatemeh", "Fatimah"]), ("عایشه", ["Aisha", "Ayesha", "Aysha"]),
    ("مریم", ["Maryam", "Mariam"]), ("زینب", ["Zainab", "Zeinab"]), ("خدیجه", ["Khadija"]),
    ("نور", ["Noor", "Nur"]), ("سارا", ["Sara", "Sarah"]), ("لیلا", ["Layla", "Leila"]),
    ("شبنم", ["Shabnam"]), ("پروین", ["Parveen", "Parvin"]), ("نسرین", ["Nasrin", "Nasreen"]),
    ("رقیه", ["Ruqayya", "Roqayeh"]), ("سمیرا", ["Samira", "Sameera"]), ("هدی", ["Huda", "Hoda"]),
]  # fmt: skip
FAMILY = [
    ("خان", ["Khan"]), ("احمدی", ["Ahmadi"]), ("حیدری", ["Haidari", "Heidari"]),
    ("رحیمی", ["Rahimi"]), ("محمدی", ["Mohammadi", "Muhammadi"]),
    ("حسینی", ["Hosseini", "Husseini"]),
    ("شاه", ["Shah"]), ("ملک", ["Malik"]), ("چوہدری", ["Chaudhry", "Choudhry"]), ("بٹ", ["Butt"]),
    ("قریشی", ["Qureshi", "Kureshi"]), ("صدیقی", ["Siddiqui", "Siddiqi"]), ("اعوان", ["Awan"]),
    ("یوسفزی", ["Yousafzai", "Yusufzai"]), ("درانی", ["Durrani"]), ("نوری", ["Noori", "Nouri"]),
    ("عباسی", ["Abbasi"]), ("میرزا", ["Mirza"]), ("بلوچ", ["Baloch"]), ("کریمی", ["Karimi"]),
    ("جعفری", ["Jafari", "Jaafari"]), ("نظری", ["Nazari"]), ("الحسن", ["Al-Hassan", "Alhassan"]),
    ("العلی", ["Al-Ali"]), ("سلطانی", ["Soltani", "Sultani"]), ("هاشمی", ["Hashemi", "Hashmi"]),
    ("اکبری", ["Akbari"]), ("نیازی", ["Niazi"]), ("ستانکزی", ["Stanikzai"]), ("مومند", ["Mohmand"]),
    ("وزیر", ["Wazir"]), ("آفریدی", ["Afridi"]), ("یعقوبی", ["Yaqubi", "Yakoubi"]),
    ("عزیزی", ["Azizi"]), ("صافی", ["Safi"]), ("زمانی", ["Zamani"]), ("قادری", ["Qadri", "Kadri"]),
    ("انصاری", ["Ansari"]), ("جان", ["Jan"]), ("بیگ", ["Baig", "Beg"]),
]  # fmt: skip
OTHER_GIVEN = [
    "Yonas", "Tesfay", "Berhane", "Filmon", "Senait", "Abdi", "Mamadou", "Ousmane", "Aminata",
    "Ivan", "Dmitri", "Elena", "Ana", "Marco", "Luca", "Sofia", "Emre", "Mehmet", "Ayse", "Kemal",
    "Daniel", "Maria", "John", "Peter", "Anna", "Rezan", "Dilan", "Shirin", "Hevin", "Baran",
]  # fmt: skip
OTHER_FAMILY = [
    "Tesfamariam", "Gebremedhin", "Haile", "Kahsay", "Diallo", "Traore", "Keita", "Popescu",
    "Ivanov", "Petrov", "Rossi", "Bianchi", "Yilmaz", "Kaya", "Demir", "Celik", "Smith", "Muller",
    "Novak", "Horvat", "Barzani", "Talabani", "Rashid", "Osmani", "Berisha", "Hoxha",
]  # fmt: skip
NATIONALITIES = ["pk", "af", "ir", "iq", "sy", "bd", "eg", "ma", "er", "sd", "tr", "so", "ng"]
_PHONE_PREFIX = {"pk": ("92", "3"), "af": ("93", "7"), "ir": ("98", "91"), "tr": ("90", "5")}


@dataclass
class Person:
    id: str
    given: list[tuple[str, list[str]]]  # given name and father's name
    family: tuple[str, list[str]] | None
    birth: str | None
    nationality: str
    gender: str
    phone: str | None = None
    passport: str | None = None
    spelling: list[int] = field(default_factory=list)


def _random_person(rng: random.Random, pid: str) -> Person:
    if rng.random() < 0.85:
        first = rng.choice(GIVEN)
        father = rng.choice(GIVEN[:46]) if rng.random() < 0.6 else None
        family = rng.choice(FAMILY) if rng.random() < 0.9 else None
        nationality = rng.choice(NATIONALITIES[:9])
        given = [first] + ([father] if father else [])
    else:
        given = [("", [rng.choice(OTHER_GIVEN)])]
        family = ("", [rng.choice(OTHER_FAMILY)])
        nationality = rng.choice(NATIONALITIES[6:])
    birth = None
    if rng.random() < 0.9:
        year = rng.randint(1950, 2008)
        if rng.random() < 0.08:  # age estimated at the border: registered as 1 January
            birth = f"{year}-01-01"
        else:
            birth = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    person = Person(pid, given, family, birth, nationality, rng.choice(["male", "female"]))
    if rng.random() < 0.4:
        cc, start = _PHONE_PREFIX.get(nationality, ("92", "3"))
        person.phone = f"+{cc}{start}{rng.randint(10**8, 10**9 - 1)}"[: 3 + len(cc) + 9]
    if rng.random() < 0.3:
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
        person.passport = f"{letters}{rng.randint(10**6, 10**7 - 1)}"
    person.spelling = [rng.randrange(len(g[1])) for g in given] + [
        rng.randrange(len(family[1])) if family else 0
    ]
    return person


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeiouhnrst") + word[i:]


def _name(rng: random.Random, person: Person, arabic: bool, variant: bool) -> str:
    parts: list[str] = []
    entries = [*person.given, *([person.family] if person.family else [])]
    for k, (script, spellings) in enumerate(entries):
        if arabic and script:
            parts.append(script)
        elif variant:
            parts.append(rng.choice(spellings))
        else:
            parts.append(spellings[person.spelling[k]])
    return " ".join(parts)


def to_entity(
    rng: random.Random, person: Person, *, name: str, birth: str | None, national_phone: bool
) -> EntityProxy:
    proxy = make_entity("Person", person.id)
    proxy.add("nationality", person.nationality)
    proxy.add("name", name)
    proxy.add("gender", person.gender)
    if birth:
        proxy.add("birthDate", birth)
    if person.phone:
        if national_phone and person.phone.startswith("+92"):
            # As typed by an officer in Pakistan; kept raw, normalised with the region later.
            proxy.add("phone", "0" + person.phone[3:6] + " " + person.phone[6:], cleaned=True)
        else:
            proxy.add("phone", person.phone)
    if person.passport:
        proxy.add("passportNumber", person.passport)
    return proxy


def _duplicate_of(rng: random.Random, person: Person, dup_id: str) -> EntityProxy:
    """The same person as recorded by another officer or agency: other script or spelling,
    left-out father's name, an initial, reordered parts, typos, a mistyped or unknown birth
    date, a national phone notation, no passport number."""
    arabic = any(s for s, _ in person.given) and rng.random() < 0.3
    name = _name(rng, person, arabic, variant=True)
    words = name.split()
    r = rng.random()
    if r < 0.15 and len(words) > 2:
        words.pop(1)  # father's name left out
    elif r < 0.25 and len(words) > 1 and not arabic:
        words[0] = words[0][0] + "."
    elif r < 0.35 and len(words) > 1:
        words = words[1:] + words[:1]
    if not arabic and rng.random() < 0.3:
        k = rng.randrange(len(words))
        words[k] = _typo(rng, words[k])
    birth = person.birth
    r = rng.random()
    if birth and r < 0.1:
        birth = None
    elif birth and r < 0.2:
        y, m, d = birth.split("-")
        birth = f"{y}-{d}-{m}" if int(d) <= 12 else f"{y}-{m}-{int(d) % 28 + 1:02d}"
    elif birth and r < 0.25:
        birth = f"{int(birth[:4]) + rng.choice((-1, 1))}{birth[4:]}"
    saved = person.passport
    if rng.random() < 0.5:
        person.passport = None
    proxy = to_entity(rng, person, name=" ".join(words), birth=birth, national_phone=True)
    person.passport = saved
    proxy.id = dup_id
    return proxy


def generate(total: int, dup_share: float = 0.05, seed: int = 7) -> Iterator[EntityProxy]:
    """``total`` persons, of which ``dup_share`` are injected duplicates of earlier ones.
    A duplicate's id is ``d<N>-of-p<M>``: it duplicates person ``p<M>``."""
    rng = random.Random(seed)
    recent: list[Person] = []
    originals = 0
    for n in range(total):
        if recent and rng.random() < dup_share:
            source = rng.choice(recent)
            yield _duplicate_of(rng, source, f"d{n}-of-{source.id}")
            continue
        person = _random_person(rng, f"p{originals}")
        originals += 1
        arabic = any(s for s, _ in person.given) and rng.random() < 0.15
        yield to_entity(
            rng, person, name=_name(rng, person, arabic, False), birth=person.birth,
            national_phone=False,
        )  # fmt: skip
        # Duplicates come from a sliding pool, so the generator keeps little in memory.
        if len(recent) < 50_000:
            recent.append(person)
        else:
            recent[rng.randrange(len(recent))] = person


def is_true_pair(a: str, b: str) -> bool:
    """Whether two generated ids are an injected duplicate and its source (or two duplicates
    of the same source)."""

    def source(x: str) -> str:
        return x.split("-of-", 1)[1] if "-of-" in x else x

    return source(a) == source(b)
