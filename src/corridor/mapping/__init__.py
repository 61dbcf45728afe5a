"""National and regional challenges, routes and thematic commitments (issue 6).

One sub-package per sub-feature, each with the house's file names: `routes/` (the stops and
legs challenges cite), `challenges/` (challenges, their exports, and the pages of challenges and
routes), `commitments/` (commitments, endorsements, actions and their progress), `map/` (the
map), `reports/` (printable reports and their static maps). What they share sits here: `geo`
(the world atlas, user-drawn geometry), `schemas` (themes, evidence, the API's shape of a
record), `records` (how a type registers), `service` (read, write and withdraw a record),
`forms` (text formats), and the `api` and `pages` glue (one course for saving and withdrawing)."""
