"""The closed sets of values the domain speaks in, taken from the practice of trust repair."""

from __future__ import annotations

CASE_KINDS = ("couple", "family", "friendship", "workplace")

BREACH_CATEGORIES = (
    "infidelity",
    "dishonesty",
    "digital_secrecy",
    "broken_promise",
    "neglect",
    "misconduct",
    "data_breach",
    "other",
)

APPROACHES = ("therapy_guided", "self_guided", "ai_assisted", "passive")

STAGES = ("aftermath", "honest_conversations", "restoring", "moving_forward")

OUTCOMES = ("reconciled", "released", "referred", "withdrawn")

SAFETY_RED_FLAGS = ("abuse_history", "others_fear_for_safety")

RED_FLAGS = (
    "no_remorse_repeated_dishonesty",
    "gaslighting",
    "refuses_responsibility",
    "abuse_history",
    "forgiveness_ultimatums",
    "no_transparency",
    "ongoing_secrecy",
    "escalating_conflict",
    "others_fear_for_safety",
    "untreated_compulsion",
    # Digital red flags.
    "deleting_messages",
    "secret_accounts",
    "sudden_password_changes",
    "online_emotional_investment",
    "engaging_past_partners",
    "defensive_about_devices",
    "refuses_device_transparency",
    "hidden_apps",
)

READINESS_ITEMS = (
    "breach_accepted",
    "emotions_acknowledged",
    "motivation_clear",
    "committed_to_honesty",
    "boundaries_set",
    "checkins_scheduled",
    "independent_reflection",
    "external_support",
    "prepared_for_setbacks",
    "tracking_progress",
    "monthly_review_of_intentions",
    "knows_exit_is_possible",
)

COUPLE_RITUALS = (
    "daily_checkin",
    "transparency_hour",
    "gratitude_note",
    "letter",
    "positive_prediction",
    "sharing_fears",
)
FAMILY_RITUALS = (
    "family_dinner",
    "regret_circle",
    "storytelling_night",
    "joint_session",
    "intergenerational_journal",
    "digital_detox",
    "gratitude_leader",
)
RITUALS = COUPLE_RITUALS + FAMILY_RITUALS

PROGRAM_STEPS = (
    "public_acknowledgment",
    "transparent_facts",
    "accountability",
    "open_forums",
    "external_audit",
    "ongoing_updates",
    "renewal_ritual",
    "trust_measurement",
)

ROLES = ("owner", "supervisor", "practitioner", "client")
STAFF_ROLES = ("owner", "supervisor", "practitioner")
TENANT_KINDS = ("practice", "organization")

VISIBILITIES = ("shared", "staff", "private")
JOURNAL_VISIBILITIES = ("private", "shared")

#: The reports a job makes: of one case (a PDF, a printable page), of the tenant's outcomes,
#: and the caseload and outcomes as spreadsheets.
CASE_REPORT_KINDS = ("report.case_pdf", "report.case_html")
TENANT_REPORT_KINDS = ("report.outcomes", "csv.outcomes", "csv.caseload")
REPORT_KINDS = CASE_REPORT_KINDS + TENANT_REPORT_KINDS

RATING_MIN, RATING_MAX = 0, 10
SEVERITY_MIN, SEVERITY_MAX = 1, 3
PULSE_MIN_RESPONSES = 5
#: How long a pulse may stay open for answers.
PULSE_MAX_OPEN_DAYS = 60
#: The coarse bands a published pulse shows instead of its scores: (name, lowest, highest).
PULSE_BANDS = (("low", 0, 3), ("middling", 4, 6), ("high", 7, 10))
DEFAULT_CADENCE_DAYS = 7
#: A tenant's clock until its owner sets one: dates typed without an offset are read in it.
DEFAULT_TIME_ZONE = "UTC"
MAX_CADENCE_DAYS = 90

#: Which rituals fit which kind of case. A friendship is repaired one to one, as a couple is;
#: a workplace's shared ritual is the program's renewal step, not one of these.
RITUALS_BY_KIND = {
    "couple": COUPLE_RITUALS,
    "family": FAMILY_RITUALS,
    "friendship": COUPLE_RITUALS,
    "workplace": (),
}

# Limits that the request schemas state and the aggregates enforce: both read them from here.
TEXT_MAX = 10_000  # free text: notes, apologies, descriptions, summaries
SHORT_MAX = 200  # names and titles
RELATION_MAX = 80
SLUG_MIN, SLUG_MAX = 2, 63
SLUG_PATTERN = r"[a-z0-9][a-z0-9-]*"  # ASCII on purpose: a slug is typed into URLs
MAX_APOLOGY_RECIPIENTS = 50
MAX_PULSE_SCORES = 10_000
MAX_CONFLICTS = 1_000  # conflicts in one check-in period; more is a typing slip
PASSWORD_MIN, PASSWORD_MAX = 10, 1024

#: Why a case's records are held, in the words an owner reads in the refusal to erase them.
HOLD_REASONS = {
    "clinical_retention": "clinical records are kept for the retention period",
    "litigation": "the records are needed for legal proceedings",
    "regulator": "a regulator asked for the records to be kept",
    "safeguarding": "the records are needed to keep someone safe",
}
#: Why words were erased: a closed list, since the erasure fact itself is kept in the clear.
ERASURE_REASONS = {
    "client_request": "the person asked for their data to be erased",
    "consent_withdrawn": "the person withdrew their consent",
    "retention_ended": "the retention period has ended",
    "entered_in_error": "it was recorded by mistake",
    "legal_order": "a court or regulator ordered it",
}
#: Why an owner declined a person's request to erase their data, in the words they read.
ERASURE_DECLINE_REASONS = {
    "records_under_legal_hold": "the records are under a legal hold and must be kept for now",
    "needed_for_safety": "the records are needed to keep someone safe",
    "duplicate_request": "this repeats a request the practice has already answered",
    "identity_not_confirmed": "the practice could not confirm that the request came from you",
}
#: How long a practice keeps clinical records unless its owner sets otherwise (years).
DEFAULT_RETENTION_YEARS = 6
MAX_RETENTION_YEARS = 30
