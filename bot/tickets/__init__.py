"""Requests for technical accompaniment (Resolución 01117): tickets routed to MinTIC's mailbox.

text.py      pure reading: ticket tags in subjects, `#estado` lines, topics guessed from words
routing.py   pure rules: which mailbox (and Cc) a ticket goes to
mail.py      the emails to the mailbox (routing, follow-up), rendered with Jinja2
desk.py      the operations, each inside the caller's transaction: open (or merge), relay a
             staff reply, change a status; every message they cause goes to the outbox
followup.py  the `cti run` service that reminds the mailbox of tickets with no staff reply
"""
