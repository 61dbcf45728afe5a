"""Risk profiles for front-line officers: the signs of a modus operandi, shared as records."""
