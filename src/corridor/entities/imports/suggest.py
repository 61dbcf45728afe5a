"""Suggesting a mapping from a person spreadsheet's headers: the starting point of the mapping
screen."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from corridor.entities.imports.columns import EntityMap, Mapping, PropertyMap, guess_date_format
from corridor.errors import InvalidInput
from corridor.tabular.rows import Row

# Header names, "|"-separated and compared as _header_words reads them -> Person property.
# English first, then common French, Arabic, Turkish, Greek and Italian headers.
_PERSON_HEADERS: dict[str, str] = {
    "name": (
        "name|full name|fullname|person|person name|names|nom complet|nom et prenom|"
        "nom prenom|الاسم|الاسم الكامل|الاسم الثلاثي|ad soyad|adı soyadı|adi soyadi|isim|"
        "ονοματεπωνυμο|nome completo|nominativo"
    ),
    "firstName": (
        "first name|firstname|given name|given names|forename|forenames|prenom|prenoms|"
        "الاسم الاول|ad|adı|adi|ονομα|nome"
    ),
    "middleName": "middle name|middlename|second name",
    "lastName": (
        "last name|lastname|surname|family name|nom|nom de famille|اسم العائلة|اللقب|الكنية|"
        "soyad|soyadı|soyadi|επωνυμο|cognome"
    ),
    "fatherName": (
        "father name|fathers name|father s name|nom du pere|اسم الاب|baba adı|baba adi|"
        "πατρωνυμο|ονομα πατρος|nome del padre|paternita"
    ),
    "motherName": (
        "mother name|mothers name|mother s name|nom de la mere|اسم الام|anne adı|anne adi|"
        "μητρωνυμο|ονομα μητρος|nome della madre|maternita"
    ),
    "alias": "alias|aliases|aka|nickname|known as|surnom|الكنية المعروفة",
    "birthDate": (
        "dob|d o b|date of birth|birth date|birthdate|born|date de naissance|ne le|"
        "تاريخ الميلاد|تاريخ الولادة|dogum tarihi|ημερομηνια γεννησης|data di nascita|"
        "data nascita"
    ),
    "birthPlace": (
        "pob|place of birth|birth place|birthplace|lieu de naissance|مكان الميلاد|"
        "مكان الولادة|dogum yeri|τοπος γεννησης|luogo di nascita"
    ),
    "nationality": (
        "nationality|nat|citizenship|nationalite|الجنسية|uyruk|uyrugu|uyruğu|υπηκοοτητα|"
        "εθνικοτητα|nazionalita|cittadinanza"
    ),
    "gender": "gender|sex|sexe|genre|الجنس|cinsiyet|φυλο|sesso",
    "passportNumber": (
        "passport|passport no|passport number|passport nr|passport num|passeport|"
        "numero de passeport|no passeport|جواز السفر|رقم جواز السفر|رقم الجواز|pasaport|"
        "pasaport no|διαβατηριο|αριθμος διαβατηριου|passaporto|numero passaporto"
    ),
    "idNumber": (
        "id number|id no|national id|national id number|identity number|cnic|nic|tazkira|"
        "carte d identite|numero d identite|الرقم الوطني|رقم الهوية|kimlik no|tc kimlik no|"
        "αριθμος ταυτοτητας|codice fiscale"
    ),
    "phone": (
        "phone|phones|phone number|phone no|telephone|tel|mobile|mobile number|mobile no|cell|"
        "cell phone|whatsapp|numero de telephone|portable|هاتف|الهاتف|رقم الهاتف|جوال|الجوال|"
        "موبايل|telefon|cep|cep telefonu|τηλεφωνο|κινητο|telefono|cellulare"
    ),
    "email": (
        "email|e mail|email address|mail|courriel|البريد الالكتروني|البريد الإلكتروني|eposta|"
        "e posta|ηλεκτρονικο ταχυδρομειο|posta elettronica"
    ),
    "address": "address|home address|adresse|domicile|العنوان|adres|διευθυνση|indirizzo|residenza",
    "country": "country|pays|البلد|الدولة|ulke|ülke|χωρα|paese",
    "notes": (
        "notes|note|remarks|comment|comments|observations|ملاحظات|notlar|aciklama|"
        "παρατηρησεις|osservazioni"
    ),
}
# Columns that say who a person is, so they make the key; the rest only describe the person.
_IDENTITY = ("passportNumber", "idNumber", "name", "firstName", "middleName", "lastName",
             "fatherName", "birthDate", "nationality")  # fmt: skip


def _header_words(header: str) -> str:
    """Lower case, accents, Arabic vowel marks, punctuation and a trailing number removed, so
    "Phone 2", "phone_2" and "PHONE2" all read "phone"."""
    text = unicodedata.normalize("NFKD", header.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\W_]+", " ", text)
    return re.sub(r"\s*\d+$", "", text).strip()


_HEADER_INDEX = {
    _header_words(word): prop
    for prop, words in _PERSON_HEADERS.items()
    for word in words.split("|")
}


def suggest_mapping(headers: Sequence[str], rows: Sequence[Row] = ()) -> Mapping:
    """A starting point for the mapping screen: one Person per row, properties guessed from the
    header names. Several columns for one property (phone 1, phone 2) are all mapped; when no
    full-name column exists the name joins first, middle and last names; the key is made of
    the identifying columns (documents, names, birth date, nationality). Headers it does not
    recognise are left unmapped; if none names a person, the first column is taken as the
    name. Sample ``rows`` (the preview) let it guess the date format of date columns."""
    if not headers:
        raise InvalidInput("the file has no columns")
    found: dict[str, list[str]] = {}
    for header in headers:
        prop = _HEADER_INDEX.get(_header_words(header))
        if prop is not None:
            found.setdefault(prop, []).append(header)
    parts = [c for p in ("firstName", "middleName", "lastName") for c in found.get(p, [])]
    properties: dict[str, PropertyMap] = {}
    if "name" not in found and parts:
        properties["name"] = PropertyMap(columns=parts, join=" ")
    elif "name" not in found:
        found["name"] = [headers[0]]
    for prop, columns in found.items():
        fmt = None
        if prop == "birthDate":
            fmt = guess_date_format([r.values.get(c, "") for r in rows for c in columns])
        if len(columns) == 1:
            properties[prop] = PropertyMap(column=columns[0], format=fmt)
        else:
            properties[prop] = PropertyMap(columns=columns, format=fmt)
    keys = [c for p in _IDENTITY for c in found.get(p, [])] or [
        c for cs in found.values() for c in cs
    ]
    person = EntityMap(schema_name="Person", keys=list(dict.fromkeys(keys)), properties=properties)
    return Mapping(entities={"person": person})
