"""The REST node that speaks SeaTunnel's monitoring API."""
