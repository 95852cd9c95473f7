"""The constancia: a numbered certificate that an entity submitted its diagnosis.

Stateless by design: the number derives from the assessment and the verification code is an
HMAC over the submission's facts, so nothing is stored when one is issued; verifying recomputes
the facts from the assessment's history (`facts`) and checks the code against them (`code`).
"""
