"""One-click reports of the network, a country or a route, printable, with a static map."""
