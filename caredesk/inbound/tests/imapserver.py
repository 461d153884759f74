"""A real IMAP server for tests: Debian's dovecot, started on a loopback port with a
throwaway configuration in a temporary folder, stopped (and the folder removed) afterwards.

Any user name logs in with the password "secret" and gets an empty Maildir of its own, so
each test can use a mailbox nobody else touches. As root, mail files belong to `nobody`
(dovecot will not keep mail as root); otherwise to the user running the tests.
"""

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "secret"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
instance_name = caredesk-test-{port}
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{dir}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/mail/%u
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ImapServer:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="caredesk-imap-"))
        self.port = free_port()
        self._process: subprocess.Popen | None = None

    def start(self) -> "ImapServer":
        if not os.path.exists(DOVECOT):
            raise RuntimeError("dovecot is missing: apt-get install dovecot-imapd")
        os.chmod(self.dir, 0o755)  # the mail user must reach its Maildir below
        (self.dir / "mail").mkdir()
        if os.geteuid() == 0:
            owner = pwd.getpwnam("nobody")
            internal, login = "dovecot", "dovenull"
        else:
            owner = pwd.getpwuid(os.geteuid())
            internal = login = owner.pw_name
        os.chown(self.dir / "mail", owner.pw_uid, owner.pw_gid)
        config = self.dir / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                dir=self.dir,
                port=self.port,
                internal=internal,
                login=login,
                uid=owner.pw_uid,
                gid=owner.pw_gid,
                password=PASSWORD,
            )
        )
        self._process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # bounded wait for the listener
            if self._process.poll() is not None:
                raise RuntimeError(f"dovecot stopped: {self._process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("dovecot did not start listening in time")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
            self._process = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def append(self, user: str, raw: bytes) -> None:
        """Deliver a mail into `user`'s INBOX, the way a mail server would (IMAP APPEND)."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            client.login(user, PASSWORD)
            status, _ = client.append("INBOX", None, None, raw)
            assert status == "OK"
        finally:
            client.logout()
