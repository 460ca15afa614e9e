"""The clinic assistant's add-ons to Rasa, in layers; each package imports only lower ones.

1. `addons.crisis`: crisis and emergency rules, the sentence encoder, its exemplars (pure).
2. `addons.content`: loading and checking what staff edit in content/ (pure).
3. `addons.nlu`: Rasa NLU pipeline components (may import crisis, content).
4. `addons.nlg`, `addons.tracker_store`: the dialogue side (may import the layers above).
5. `addons.channels`: the edge, REST and socket.io (may import crisis, content; never nlu).

The old flat module paths (addons.crisis_detector, addons.message_length,
addons.selector_gate) remain as aliases for models trained before the move.
"""
