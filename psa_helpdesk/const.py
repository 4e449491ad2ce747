# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The vocabulary of psa_helpdesk in one place: every selection list and the
constants several models, reports and wizards share.

Labels are written in English; Odoo translates them per field (see
``i18n/es.po``)."""

# ---------------------------------------------------------------------------
# Installed base (SPEC §1)
# ---------------------------------------------------------------------------
ENVIRONMENTS = [
    ("production", "Production"),
    ("test", "Test"),
    ("training", "Training"),
]
VERSION_SUPPORT_STATES = [
    ("supported", "Supported"),
    ("deprecated", "Deprecated"),
    ("end_of_life", "End of life"),
]

# ---------------------------------------------------------------------------
# Contracts (SPEC §2)
# ---------------------------------------------------------------------------
CONTRACT_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
]

# ---------------------------------------------------------------------------
# Classification, priority and levels (SPEC §3)
# ---------------------------------------------------------------------------
REQUEST_TYPES = [
    ("question", "Usage question"),
    ("incident", "Incident"),
    ("change", "Change request"),
    ("consulting", "Consulting"),
    ("complaint", "Complaint or suggestion"),
]
REQUEST_TYPE_HELP = (
    "Usage question: how to do something the product already does. "
    "Incident: the product does not work as documented (a bug). "
    "Change request: the customer wants the product to behave differently. "
    "Consulting: advice on processes or configuration, usually billable. "
    "Complaint or suggestion: about the service or ideas for the product."
)
# Request types whose closing needs a resolution summary (SPEC §6)
RESOLUTION_REQUEST_TYPES = ("incident", "change")
SEVERITIES = [
    ("1", "S1 - Operation stopped"),
    ("2", "S2 - Partial degradation"),
    ("3", "S3 - Minor / cosmetic"),
]
SEVERITY_HELP = (
    "S1: the customer's operation is stopped (nobody can work, no workaround). "
    "S2: partial degradation (a function fails or is slow, there is a "
    "workaround or only some users are affected). "
    "S3: minor or cosmetic problem, question or request without impact on "
    "the operation."
)
PRIORITIES = [
    ("1", "P1 - Immediate"),
    ("2", "P2 - High"),
    ("3", "P3 - Normal"),
]
# P1 is the most urgent; the OCA star (0..3, 3 most urgent) follows it so that
# helpdesk_mgmt's "high priority" counters and filters keep their meaning.
PRIORITY_TO_STAR = {"1": "3", "2": "2", "3": "1"}
SUPPORT_LEVELS = [
    ("1", "L1"),
    ("2", "L2"),
    ("3", "L3"),
]

# ---------------------------------------------------------------------------
# SLA clocks (SPEC §4)
# ---------------------------------------------------------------------------
SLA_METRICS = [
    ("response", "First response"),
    ("resolution", "Resolution"),
    ("update", "Customer update"),
]
SLA_STATUSES = [
    ("running", "Running"),
    ("paused", "Paused"),
    ("at_risk", "At risk"),
    ("breached", "Breached"),
    ("met", "Met"),
    ("met_late", "Met late"),
    ("cancelled", "Cancelled"),
]
# How a closing stage closes a ticket. Solved: the request was answered or
# fixed (the resolution clock is met, met late or breached; incidents and
# change requests need a resolution summary). Not solved: cancelled, rejected
# (the clocks that are not late yet are cancelled). A ticket marked as a
# duplicate of another is closed as not solved, whatever its stage.
CLOSE_KINDS = [
    ("solved", "Solved"),
    ("not_solved", "Not solved"),
]
# Worst first: the ticket shows the worst of its live clocks, or, when none is
# live any more, the worst outcome of its last cycle.
SLA_LIVE_SEVERITY = ["breached", "at_risk", "running", "paused"]
SLA_FINISHED_SEVERITY = ["breached", "met_late", "met", "cancelled"]
# Outcomes that owe a penalty when the contract has penalty terms; in the
# compliance report, the clocks met and the clocks missed.
SLA_PENALTY_STATUSES = ("breached", "met_late")
SLA_MET_STATUSES = ("met",)
SLA_MISSED_STATUSES = ("breached", "met_late")

# ---------------------------------------------------------------------------
# Ticket history (SPEC §6)
# ---------------------------------------------------------------------------
# What the history measures: one line per dimension, key → (ticket field,
# label). A dimension whose field does not exist on helpdesk.ticket is
# skipped at runtime.
HISTORY_DIMENSIONS = {
    "stage": ("stage_id", "Stage"),
    "team": ("team_id", "Team"),
    "user": ("user_id", "Assignee"),
    "priority": ("priority", "Priority"),
    "level": ("support_level", "Support level"),
    "severity": ("severity", "Severity"),
}

# ---------------------------------------------------------------------------
# Outgoing email (SPEC §6)
# ---------------------------------------------------------------------------
# An email the addon sends without a person writing it carries the RFC 3834
# header ``Auto-Submitted``, so that vacation responders and other ticketing
# systems do not answer it. The code sending it says which kind in the
# context key AUTO_SUBMITTED_CONTEXT; mail.mail turns it into headers.
AUTO_SUBMITTED_CONTEXT = "psa_auto_submitted"
AUTO_REPLIED = "auto-replied"  # an automatic answer to what a customer sent
AUTO_GENERATED = "auto-generated"  # any other automatic email
AUTO_SUBMITTED_HEADERS = {
    # ask Microsoft Exchange not to send out-of-office and automatic replies
    "X-Auto-Response-Suppress": "OOF, AutoReply",
}
# Automatic answers to a customer (the not-entitled answer): at most one per
# ticket, and at most one per address in this many hours whatever the ticket,
# so that a system acknowledging each of our emails with a new one (under a
# new subject, which opens a new ticket) cannot loop with us.
AUTO_ANSWER_INTERVAL_HOURS = 24

# ---------------------------------------------------------------------------
# Inbound email (SPEC §4, §6)
# ---------------------------------------------------------------------------
# Automatic email (RFC 3834 auto-replies, RFC 3464 delivery status
# notifications, bulk and list mail): logged on its ticket, never answered,
# never a person's reply (mail.thread._psa_mail_automation decides).
MAIL_AUTOMATIC_KINDS = [
    ("auto_reply", "Automatic reply"),
    ("bounce", "Delivery status notification"),
    ("bulk", "Bulk or mailing list"),
    ("auto_generated", "Automatically generated"),
]

# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------
# Open backlog age buckets: (key, label, upper bound in days); keys sort in the
# order of the buckets
BACKLOG_AGE_BUCKETS = [
    ("1", "0-1 days", 1),
    ("2", "1-3 days", 3),
    ("3", "3-7 days", 7),
    ("4", "7-30 days", 30),
    ("5", "Over 30 days", None),
]

# ---------------------------------------------------------------------------
# Knowledge and customer validation (SPEC §8, seed 04 §6)
# ---------------------------------------------------------------------------
ARTICLE_KINDS = [
    ("solution", "Solution"),
    ("workaround", "Workaround"),
]
# A ticket an article was sent on, waiting for the customer to say whether it
# solved the request
VALIDATION_STATES = [
    ("pending", "Waiting for the customer"),
    ("reminded", "Reminder sent"),
    ("accepted", "Accepted by the customer"),
    ("rejected", "Rejected by the customer"),
    ("timeout", "Closed without an answer"),
    ("agent", "Closed by the agent while waiting"),
]
# How a customer's reply on a ticket waiting for validation is read
# (``validation_answer``; Spanish and English, lower case, without accents).
# In doubt, a reply is a normal reply, for the agent: a wrong closure is far
# worse than an agent reading a reply.
# Words that accept the solution: an answer accepts only when its first
# paragraph holds one of them and nothing but them and VALIDATION_FILLER_WORDS
VALIDATION_ACCEPT_WORDS = (
    "acepto",
    "aceptado",
    "aceptada",
    "conforme",
    "resuelto",
    "solucionado",
    "funciona",
    "funciono",
    "anda",
    "anduvo",
    "ok",
    "okay",
    "accept",
    "accepted",
    "solved",
    "resolved",
    "works",
    "worked",
    "fixed",
)
# Words that may stand next to an acceptance without changing it
VALIDATION_FILLER_WORDS = (
    "si",
    "ya",
    "yes",
    "gracias",
    "muchas",
    "mil",
    "perfecto",
    "perfectamente",
    "genial",
    "excelente",
    "bien",
    "correctamente",
    "todo",
    "ahora",
    "esta",
    "thanks",
    "thank",
    "you",
    "great",
    "perfect",
    "perfectly",
    "now",
    "it",
    "all",
    "good",
    "fine",
    "is",
    "saludos",
    "regards",
)
# Phrases that reject the solution (in the first paragraph, not a question)
VALIDATION_REJECT_WORDS = (
    "rechazo",
    "rechazado",
    "rechazada",
    "no funciona",
    "no anda",
    "no resuelto",
    "no se soluciono",
    "sigue fallando",
    "sigue igual",
    "sigue sin funcionar",
    "todavia falla",
    "reject",
    "rejected",
    "not solved",
    "not fixed",
    "not working",
    "does not work",
    "doesn't work",
    "still failing",
    "still broken",
)
# A bare "no" rejects only followed by these words at most ("No, gracias")
VALIDATION_COURTESY_WORDS = ("gracias", "thanks", "thank", "you", "saludos")
# Words that make a rejection phrase doubtful ("no problem, it works now")
VALIDATION_DOUBT_WORDS = ("problem", "problema", "problemas", "worries")
# Lines skipped before the answer: greetings
VALIDATION_GREETINGS = (
    "hola",
    "buenas",
    "buenos dias",
    "buenas tardes",
    "buenas noches",
    "estimado",
    "estimada",
    "estimados",
    "estimadas",
    "hi",
    "hello",
    "dear",
    "good morning",
    "good afternoon",
)
# Business days a customer has to validate before a reminder, then as many
# again before the ticket is closed as solved (a team may set its own)
VALIDATION_DAYS = 3
# pg_trgm similarity under which an article is not suggested (unless it is
# about the ticket's affected module)
ARTICLE_SIMILARITY = 0.1
ARTICLE_LIMIT = 5
