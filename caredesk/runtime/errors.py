class BackupError(Exception):
    """A backup or restore that cannot be done; the message tells the operator why."""


class WouldReplace(BackupError):
    """Going on would replace something that holds data (a database with tables, a file, a
    checkpoint directory), and that was not asked for."""
