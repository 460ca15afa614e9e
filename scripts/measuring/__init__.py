"""Measurements: `make bench` against Rasa's default config, and the blind-set evaluation."""
