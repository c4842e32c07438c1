"""Operators' commands: the `balagh` CLI, `balagh cluster`, the processes' command lines, and
the configuration files rendered for Rasa and nginx. The top of the house: may import any
room."""
