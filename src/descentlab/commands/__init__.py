"""The commands: what one ``descentlab`` subcommand does between parsed arguments and the
packages that do the work (experiments, train, grade), including what it prints."""
