"""Every text a person reads is checked against the programme's facts in data/resolution_facts.yml
(each with its source in Resolución 01117 de 2022): nothing contradicts them, the answers about
the programme state them, and the defaults in config follow them. The same checks run over the
texts that used to say otherwise, to show they would have caught them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.config import PROJECT_ROOT, Config, ConfigError, load_config

FACTS_FILE = PROJECT_ROOT / "data" / "resolution_facts.yml"
TEMPLATES = PROJECT_ROOT / "data" / "templates"
QUESTIONNAIRES = PROJECT_ROOT / "data" / "questionnaire"


class Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    fact: str = Field(min_length=20)
    source: str = Field(pattern=r"Resoluci[oó]n 0?1117 de 2022")
    forbid: tuple[str, ...] = ()
    when: str | None = None
    must: str | None = None
    expect: dict[str, str] = {}
    settings: dict[str, Any] = {}


def load_facts(path: Path = FACTS_FILE) -> list[Fact]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Fact.model_validate(item) for item in raw["facts"]]


FACTS = load_facts()


def _search(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, " ".join(text.split()), re.IGNORECASE)


def violations(fact: Fact, texts: Mapping[str, str]) -> list[str]:
    """Where (text name) and what each text says against the fact."""
    found = []
    for name, text in texts.items():
        for pattern in fact.forbid:
            if hit := _search(pattern, text):
                found.append(f"{name}: «{hit[0]}»")
        hit = _search(fact.when, text) if fact.when and fact.must else None
        if hit and fact.must and not _search(fact.must, text):
            found.append(f"{name}: «{hit[0]}» sin «{fact.must}»")
    return found


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, f"{where}[{i}]")


def user_texts() -> dict[str, str]:
    """Every message of the catalogs, every line of the Jinja templates, every text of the
    questionnaires and every paragraph of the README, by where it is."""
    texts: dict[str, str] = {}
    for path in sorted(TEMPLATES.glob("*.yml")):
        for key, value in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            texts[f"{path.name}:{key}"] = str(value)
    for path in sorted(TEMPLATES.glob("*.j2")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            texts[f"{path.name}:{n}"] = line
    for path in sorted(QUESTIONNAIRES.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts.update(_strings(raw, path.name))
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for n, paragraph in enumerate(re.split(r"\n\s*\n", readme), 1):
        texts[f"README.md:§{n}"] = paragraph
    return texts


def messages() -> dict[str, str]:
    """The catalog messages by key (their template source, as written)."""
    found: dict[str, str] = {}
    for path in TEMPLATES.glob("*.yml"):
        found.update(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def setting(config: Config, dotted: str) -> Any:
    node: Any = config
    for part in dotted.split("."):
        node = getattr(node, part)
    return node


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    found = user_texts()
    assert len(found) > 500  # every catalog, template, questionnaire and the README were read
    return found


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f.id)
def test_no_text_contradicts_the_fact(fact: Fact, texts: dict[str, str]):
    assert violations(fact, texts) == []


@pytest.mark.parametrize("fact", [f for f in FACTS if f.expect], ids=lambda f: f.id)
def test_the_answers_about_the_programme_state_the_fact(fact: Fact):
    catalog = messages()
    for key, pattern in fact.expect.items():
        assert key in catalog, key
        assert _search(pattern, catalog[key]), f"{key} no dice «{pattern}»"


@pytest.mark.parametrize("fact", [f for f in FACTS if f.settings], ids=lambda f: f.id)
def test_the_default_settings_follow_the_fact(fact: Fact):
    shipped = load_config(PROJECT_ROOT / "config.yml", env={})
    for key, value in fact.settings.items():
        assert setting(Config(), key) == value, key
        assert setting(shipped, key) == value, key


def test_every_fact_is_checked_and_sourced():
    assert len(FACTS) >= 5 and len({f.id for f in FACTS}) == len(FACTS)
    for fact in FACTS:
        assert fact.forbid or fact.when or fact.expect or fact.settings, fact.id
        assert (fact.when is None) == (fact.must is None), fact.id
        for pattern in [*fact.forbid, *filter(None, [fact.when, fact.must])]:
            re.compile(pattern)


# What the texts said before issue 17 (main at 316f4f3), and which facts each contradicts.
OLD_TEXTS: dict[str, tuple[str, set[str]]] = {
    "knowledge.info_plazos": (
        "Según la Resolución 01117 de 2022, las entidades territoriales que definan estrategias de "
        "ciudades y territorios inteligentes debían haber adoptado e implementado el Modelo de "
        "Madurez a partir del 1 de abril de 2023. El diagnóstico se repite cada año: le "
        "recomendamos completarlo antes del 1 de abril del año en curso.",
        {"adopcion-desde-2023"},
    ),
    "knowledge.info_modelo": (
        "Este asistente le guía en el autodiagnóstico; sus resultados son un autodiagnóstico "
        "orientativo mientras MinTIC publica el instrumento oficial.",
        {"anexo-tecnico-expedido"},
    ),
    "README.md:orientativo": (
        "Los resultados son un **autodiagnóstico orientativo**: el cuestionario "
        "`data/questionnaire/v1.yml`\nes nuestro, escrito a partir de la información pública del "
        "modelo, hasta que MinTIC publique el\ninstrumento oficial (Anexo Técnico 1).",
        {"anexo-tecnico-expedido"},
    ),
    "README.md:progress": (
        "- El plazo del ciclo y los días que faltan (o los que han pasado). El plazo está en\n"
        '  `config.yml`, `assessment.deadline`, como mes y día del año del ciclo: `"04-01"`, el '
        "1 de abril,\n  fecha de adopción del modelo según la Resolución 01117 de 2022.",
        {"adopcion-desde-2023"},
    ),
    "knowledge.info_cofinanciacion": (
        "MinTIC puede abrir convocatorias para cofinanciar estrategias de territorios inteligentes "
        "con recursos del Fondo Único de TIC. Los componentes que se pueden cofinanciar son:\n"
        "• adquisición o servicios de equipos tecnológicos;\n• servicios tecnológicos;\n"
        "• el equipo de trabajo;\n• capacitación para administradores o beneficiarios.",
        {"cofinanciacion-lista-abierta"},
    ),
    "knowledge.solicitar_asesoria": (
        "MinTIC ofrece acompañamiento técnico permanente a las alcaldías y gobernaciones que lo "
        "solicitan, para formular sus iniciativas y su estrategia de territorio inteligente.",
        {"acompanamiento-permanente-condicionado"},
    ),
}


@pytest.mark.parametrize("name", OLD_TEXTS)
def test_the_checks_catch_what_the_texts_used_to_say(name: str):
    text, contradicted = OLD_TEXTS[name]
    caught = {f.id for f in FACTS if violations(f, {name: text})}
    assert caught == contradicted


def test_the_old_answers_did_not_state_the_facts():
    old = {k: text for k, (text, _) in OLD_TEXTS.items() if k.startswith("knowledge.")}
    missing = [
        key
        for fact in FACTS
        for key, pattern in fact.expect.items()
        if key in old and not _search(pattern, old[key])
    ]
    assert set(missing) >= {"knowledge.info_cofinanciacion", "knowledge.solicitar_asesoria"}


def test_the_old_yearly_deadline_setting_is_refused(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text('assessment:\n  deadline: "04-01"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="no fija un plazo anual"):
        load_config(path, env={})
