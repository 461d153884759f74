"""Where checkpoints go: a file by default, or a syslog host out of the database's reach; and
the deployment check that the chain's key is a real one."""

import socket

from django.core import checks

from caredesk.audit.apps import check_audit_key
from caredesk.audit.checking import verify_audit

from .conftest import seal_everything


def test_checkpoints_can_go_to_a_syslog_host_and_be_checked_from_its_file(
    history, settings, tmp_path
):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(30)
    settings.AUDIT_CHECKPOINTS = f"syslog://127.0.0.1:{receiver.getsockname()[1]}"
    try:
        seal_everything()
        datagram = receiver.recv(4096).decode()
    finally:
        receiver.close()
    assert "caredesk: caredesk-audit-checkpoint seq=4 " in datagram

    report = verify_audit()  # the lines are on the log host, not here
    assert report.ok
    assert "verify_audit --checkpoints FILE" in report.warnings[0]

    # The log host's file, with its own prefix on each line, checks as it is.
    kept = tmp_path / "messages"
    kept.write_text(f"Dec  1 23:00:00 app1 {datagram.strip()}\n")
    report = verify_audit(checkpoint_file=kept)
    assert report.ok, report.problems
    assert (report.checkpoints, report.sealed) == (1, 4)


def test_the_deploy_check_refuses_the_development_key(settings):
    settings.AUDIT_KEY = "caredesk-development-only-audit-key"
    assert [w.id for w in check_audit_key()] == ["audit.W001"]
    settings.AUDIT_KEY = "short"
    assert [w.id for w in check_audit_key()] == ["audit.W001"]
    settings.AUDIT_KEY = "k3Jx9-a-long-random-key-from-the-environment-0001"
    assert check_audit_key() == []
    assert check_audit_key in checks.registry.registry.get_checks(include_deployment_checks=True)
