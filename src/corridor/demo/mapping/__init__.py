"""The demo's guidance data (the mapping module's records): routes, challenges, thematic
commitments with members' actions; `guidance.seed_guidance` writes them."""
