"""Running CareDesk: what operators do to a whole installation (backup and restore)."""
