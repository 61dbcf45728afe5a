"""The map: every member's challenges by country, the routes and the drawn locations."""
