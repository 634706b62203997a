"""Config shades: the encryptors that protect sensitive values in SeaTunnel jobs."""
