"""The staff workflow: `make check`, `make catalogue`, `make publish` / `undo`, and the
release store."""
