"""tracerun: trace one request across many logs, merged into one timeline."""

__version__ = "0.1.0"
