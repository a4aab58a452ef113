"""One module per `clustersim` sub-command.

Each module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
`experiments.cli` discovers them, so adding a command never touches the dispatcher.
Modules must import heavy packages (mesa, pandas, matplotlib) inside ``run`` only, so that
``clustersim --help`` and input validation stay fast.
"""
