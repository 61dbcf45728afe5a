"""Travel documents (issue 17): the machine-readable zone of passports, identity cards and visas
checked against ICAO Doc 9303 (`mrz/`). Fraud-document reports, OCR and network look-ups come
later, each in a sub-package of its own."""
