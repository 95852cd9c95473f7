"""`cti web`: MinTIC's staff console on the web (Starlette, Jinja2, server-side sessions).

It shares the database and the outbox with `cti run`: a reply written here is stored and relayed
exactly like a staff email reply (`bot.tickets.desk.TicketDesk.staff_reply`).
"""
