"""The functions every door (CLI, web, background jobs) calls. Each CLI command is one call into here."""
