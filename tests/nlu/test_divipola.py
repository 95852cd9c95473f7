"""The one DIVIPOLA reader: the shipped file's units and the rules about their kinds."""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from nlu.divipola import read_divipola

DIVIPOLA = read_divipola(PROJECT_ROOT / "data" / "divipola.csv")
BY_CODE = {u.code: u for u in DIVIPOLA.units}


def test_every_unit_and_department_is_read():
    assert len(DIVIPOLA.units) == 1122
    assert len(DIVIPOLA.departments) == 33
    assert DIVIPOLA.departments["11"] == "BOGOTÁ, D.C."
    assert BY_CODE["76001"].name == "SANTIAGO DE CALI"


def test_alcaldias_are_the_municipal_kinds_only():
    assert sum(u.has_alcaldia for u in DIVIPOLA.units) == 1103
    without = {u.kind for u in DIVIPOLA.units if not u.has_alcaldia}
    assert without == {"area_no_municipalizada", "isla"}
    assert not BY_CODE["88001"].has_alcaldia  # San Andrés island: the gobernación governs it


def test_capitals_and_distritos():
    assert BY_CODE["05001"].is_capital and BY_CODE["11001"].is_capital
    assert not BY_CODE["25001"].is_capital  # Agua de Dios: Bogotá is Cundinamarca's capital
    assert BY_CODE["11001"].is_distrito and BY_CODE["52835"].is_distrito
    assert not BY_CODE["05002"].is_distrito
