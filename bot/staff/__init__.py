"""What MinTIC staff do about who acts for an entity: the roster and domain files they load,
the notices that tell a contact about a staff decision, and the daily digest of pending
requests to the mailbox. The commands are in bot/commands/officials.py."""
