"""One small client per paper source, on a shared HTTP layer (papers.clients.http)."""

from papers.clients.http import SourceError

__all__ = ["SourceError"]
