"""`corridor demo`: local nodes of fictional agencies with synthetic seed data, written through
the nodes' own API as officers would.

`agencies` (who takes part, their accounts), `network` (starting, peering, seeding and stopping
the nodes), `seeding` (what the seeds share), and one module per seed: `messages`, `entities`,
`cooperation`, `mapping/`. Every person, unit and account here is invented."""
