"""The edge: the REST and socket.io channels (credentials.yml), the input contract they share
(edge), the turn gate, the crisis fallback, session ids, log privacy and the changes to Rasa
that keep a request from stopping the server (hardening). May import addons.crisis and
addons.content; never addons.nlu."""
