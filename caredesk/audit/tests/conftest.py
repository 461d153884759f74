import pytest


@pytest.fixture
def history(cast, open_request):
    """Four changes to one ticket, each leaving an (unsealed) audit record."""
    from caredesk.tickets import services

    ticket = open_request()
    services.acknowledge(actor=cast.b, ticket=ticket)
    services.add_comment(actor=cast.b, ticket=ticket, body="On it")
    services.resolve(actor=cast.b, ticket=ticket, note="Fixed")
    return ticket


def seal_everything() -> int:
    """What the worker's audit loop does, pass after pass, until nothing is left to seal."""
    from caredesk.audit.sealing import seal_and_checkpoint

    total = 0
    while sealed := seal_and_checkpoint(batch=500):
        total += sealed
    return total
