"""Balagh's NLU components, named in `config.yml` (moving one means retraining)."""
