"""The command line: argument parsing and the entry points."""
