"""What `make run` starts and keeps up: Rasa and the action server, nginx's config, the
demo page, and the supervisor."""
