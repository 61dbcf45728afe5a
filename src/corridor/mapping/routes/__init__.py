"""Routes: the stops and legs of a smuggling route, which challenges cite and the map draws.

The route pages live with the challenge pages (challenges/pages.py): they show the challenges
along each route, and the challenge pages the routes, so one page module keeps the two from
importing each other."""
