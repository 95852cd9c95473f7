"""`cti questionnaire` and `cti report` read the questionnaire the report tests load."""

from tests.report.conftest import config, questionnaire  # noqa: F401
