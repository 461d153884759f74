"""Polling an IMAP mailbox: fetch what arrived since the last poll, take each mail in.

The place in the folder is (UIDVALIDITY, last UID). Each mail is taken in and the place moved
past it in one transaction, so a poll that dies half-way resumes at the first mail it did not
finish. When the server renumbers the folder (a new UIDVALIDITY) the poll starts over from
the first mail; Message-IDs already received are recognised and skipped.
"""

from dataclasses import dataclass

from django.db import transaction
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

from . import services
from .models import Mailbox, Security

CLIENTS = {
    Security.SSL: MailBox,
    Security.STARTTLS: MailBoxStartTls,
    Security.PLAIN: MailBoxUnencrypted,
}
TIMEOUT = 30


@dataclass
class PollResult:
    fetched: int = 0
    taken: int = 0
    duplicates: int = 0


def poll(mailbox: Mailbox, *, limit: int = 500) -> PollResult:
    """Take in up to `limit` new mails of one mailbox. Connection errors propagate (the
    caller records them on the mailbox); the place reached so far is kept."""
    result = PollResult()
    client = CLIENTS[mailbox.security](mailbox.host, mailbox.port, timeout=TIMEOUT)
    with client.login(mailbox.username, mailbox.password, initial_folder=mailbox.folder) as box:
        uidvalidity = box.folder.status(mailbox.folder, ["UIDVALIDITY"])["UIDVALIDITY"]
        last_uid = mailbox.last_uid if mailbox.uidvalidity == uidvalidity else 0
        # "UID n:*" also answers the newest mail when none is above n: filter by number.
        uids = sorted(int(u) for u in box.uids(f"UID {last_uid + 1}:*") if int(u) > last_uid)
        uids = uids[:limit]
        if not uids:
            services.record_poll(mailbox, uidvalidity=uidvalidity, last_uid=last_uid)
            return result
        for message in box.fetch(uid_list=[str(u) for u in uids], mark_seen=False, bulk=50):
            uid = int(message.uid)
            result.fetched += 1
            with transaction.atomic():
                taken = services.receive(message.obj.as_bytes(), mailbox=mailbox, uid=uid)
                services.record_poll(mailbox, uidvalidity=uidvalidity, last_uid=uid)
            if taken is None:
                result.duplicates += 1
            else:
                result.taken += 1
    return result
