"""Challenges: what members face along the routes (a theme, countries, routes and legs, drawn
locations, evidence), the network view of them, their exports, and the route pages."""
