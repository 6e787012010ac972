"""briefing: turn a folder of sources into a cross-linked, static briefing site."""

__version__ = "0.1.0"
