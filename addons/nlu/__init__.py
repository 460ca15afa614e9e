"""Rasa NLU pipeline components (config.yml). May import addons.crisis and addons.content;
never a channel, the NLG or the tracker store."""
