"""One module per `flowc` subcommand."""
