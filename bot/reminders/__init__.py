"""Reminders to contacts whose entity's diagnosis stalled (issue 8).

- `rules`: who is due and when, pure functions (table-tested).
- `message`: the reminder's text for a channel (buttons on Telegram, reply words by email).
- `scheduler`: the `cti run` service that finds due contacts and queues their reminders in the
  outbox, where the channel's worker delivers them.

The rules, in short (the README says them to MinTIC staff):

- Only contacts (with their consent) of an entity whose assessment of the current cycle is in
  progress. A submitted assessment, an erased contact, a contact who opted out: no reminder.
- Activity is the latest of: any message of the contact, on any channel; any answer saved to
  the entity's assessment by anyone; its start, submission or reopening. A colleague's answers
  count because the reminder is about the entity's diagnosis, which then is not stalled, and one
  team should not get a reminder each while one of them is working on it.
- A reminder is due `after_days` working days (Colombia, holidays included) after the latest
  of that activity and the previous reminder, and goes out only in working hours (8 to 17,
  America/Bogota). A reminder that fell due while nothing was running goes out once, at the
  next check in working hours.
- At most `max_count` reminders in a row while the contact does not write back; a message of
  the contact starts the count again. Colleagues' answers only postpone the next one.
- On the contact's most recently used conversation on Telegram or email. Console conversations
  have no delivery worker (nobody is at that terminal later): never there.
"""
