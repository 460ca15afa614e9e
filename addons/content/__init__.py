"""What clinic staff edit in content/: loading it (loader), and checking it for `make check`
and the NLG (yaml_index, validators, checks, cross_checks). Imports addons.content only."""
