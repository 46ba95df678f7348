"""Threaded notes on nominations and sessions (the notes issue)."""
