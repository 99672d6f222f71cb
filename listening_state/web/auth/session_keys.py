"""Names of the session entries the sign-in pages keep between requests."""

from __future__ import annotations

# The user whose password was accepted and who still owes a code (with an expiry time).
PENDING_SIGN_IN = "sign_in_pending"
# A staff password that breaks the current rule: every page leads to the password page.
MUST_CHANGE_PASSWORD = "password_change_required"  # noqa: S105 - a key name
# The secret shown on the enrolment page, kept until the user confirms a first code with it;
# encrypted by secret_box, as the cookie is only signed.
ENROLMENT_SECRET = "two_factor_enrolment_secret"  # noqa: S105 - a key name
