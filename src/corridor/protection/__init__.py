"""Victim-centred protection: a compartment of its own (screened people, consent, referrals)."""
