"""Rasa SDK actions, split by concern (form validation, filing, shared services)."""
