"""Reading CSV and XLSX files as rows of named cells, for every module that imports tables
(entities, indicators): `reading` streams rows, `csv_text` and `xlsx` read the two formats,
`rows` holds the limits and what a row or a row's error is."""
