"""corridor: the peer-to-peer platform of practitioners countering migrant smuggling."""

__version__ = "0.1.0"
