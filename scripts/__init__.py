"""Tools around the assistant, by concern; each imports addons and, within scripts, only
downwards: measuring -> serving and publishing -> addons.

- `scripts.publishing`: the staff workflow (make check, catalogue, publish, undo) and the
  release store.
- `scripts.serving`: what `make run` starts (the Rasa and action servers, nginx's config,
  the demo page) and the supervisor that keeps them up.
- `scripts.measuring`: `make bench` and the blind-set evaluation.
Shell scripts (install, run, test) stay at the top.
"""
