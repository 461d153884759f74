"""The tickets app's pages: the ticket page and its actions (ticket), the staff workbench
(queue) and the customer portal (portal)."""
