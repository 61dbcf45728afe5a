"""MRZ parsing and validation: `codes` (check digits, the codes of states and organisations),
`parser` (the five ICAO 9303 layouts, their fields and checks; pure and fast), `suggest` (OCR
confusions that would make a failing MRZ valid), `service` (a person's check, audited without
the MRZ in clear), `schemas`, `api` and `pages`."""
