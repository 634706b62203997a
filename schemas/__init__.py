"""JSON Schemas for SeaTunnel jobs, their `env` block and each plugin."""
