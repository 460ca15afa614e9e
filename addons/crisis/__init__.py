"""Crisis and emergency detection as pure functions: the rules (lexicon), the sentence
encoder and its exemplars. Imports nothing from Rasa or from other addons packages."""
