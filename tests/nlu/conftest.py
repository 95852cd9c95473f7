from __future__ import annotations

import pytest

from dialogues.questionnaire import Questionnaire, load_questionnaire
from nlu.embedded import EmbeddedInterpreter
from tests.nlu.helpers import DATA, embedded, shared_cache


@pytest.fixture(scope="session")
def interpreter(tmp_path_factory) -> EmbeddedInterpreter:
    return embedded(shared_cache(tmp_path_factory))


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    return load_questionnaire(DATA / "questionnaire" / "v1.yml")
