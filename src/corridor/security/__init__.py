"""Users, units, roles, sessions, API tokens: who may see and do what on this node."""
