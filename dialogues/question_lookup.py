"""Finding a question by what it is about: «cambiar la de los homicidios» -> the homicide rate.

An official does not know question numbers; they remember the topic. A pure function over the
questionnaire: the words of the request (accents, articles and the verbs of asking dropped) are
compared by their stems with the words of each question and its subdimension; the questions
that share the most stems win. Linear in the questionnaire's size; the request is bounded.
"""

from __future__ import annotations

import re

from dialogues.questionnaire import Kind, Question, Questionnaire
from nlu.text import fold

MAX_REQUEST = 200  # characters read from the request
STEM = 5  # «homicidios» and «homicidio» share «homic»
# «cambiar la de los homicidios», «corregir la respuesta sobre el internet en los colegios»
_CHANGE = re.compile(
    r"(?:quiero |quisiera |deseo |necesito |me gustaria |hay que |toca )?"
    r"(?:cambiar|corregir|modificar|editar|revisar|ir a)\s+"
    r"(?:(?:la|el|una|mi|nuestra)\s+)?(?:(?:respuesta|pregunta)\s+)?"
    r"(?:(?:de|del|sobre|acerca de|que habla de|que pregunta por|que dice)\s+)"
    r"(?P<topic>\S.*)"
)
_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about a topic.
_STOP = frozenset(
    _WORD.findall(
        "a al algo como con cual cuales cuantas cuantos de del donde el en entidad es esa ese "
        "esta este hay la las le lo los mas mi muy no nos o para pero por pregunta que respuesta "
        "se si sin sobre su sus tiene tienen un una uno unos y ya territorio"
    )
)


# «cambiar la de antes» is the previous answer (the NLU's «corregir»), not a topic.
_PREVIOUS = frozenset({"antes", "ahorita", "ahora", "la anterior", "anterior", "la ultima"})


def change_topic(text: str) -> str | None:
    """The topic of a request to change an answer named by its words, else None.
    'cambiar la de los homicidios' -> 'los homicidios'; 'cambiar una respuesta' -> None."""
    found = _CHANGE.fullmatch(fold(text[:MAX_REQUEST]).strip().rstrip("?.! "))
    if found is None or found.group("topic").strip() in _PREVIOUS:
        return None
    return found.group("topic")


def stems(text: str) -> frozenset[str]:
    return frozenset(w[:STEM] for w in _WORD.findall(fold(text)) if w not in _STOP and len(w) > 2)


def find_questions(questionnaire: Questionnaire, kind: Kind, words: str) -> list[Question]:
    """The applicable questions that best match `words` (all tied at the best score), in
    questionnaire order; empty when no question shares a meaningful word."""
    wanted = stems(words[:MAX_REQUEST])
    if not wanted:
        return []
    best, found = 0, list[Question]()
    for question in questionnaire.questions_for(kind):
        sub = questionnaire.question_index[question.id][1]
        own = stems(question.text)
        if question.figure is not None:
            own |= stems(question.figure.unit)
        score = len(wanted & (own | stems(sub.name)))
        if score == 0 or score < best:
            continue
        if score > best:
            best, found = score, []
        found.append(question)
    return found
