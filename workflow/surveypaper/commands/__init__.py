"""One module per `paper` subcommand: add_arguments(parser) and run(args) -> exit code."""
