#!/usr/bin/env bash
# Create .venv-rasa: a Python 3.10 environment with a pinned Rasa Open Source, used only by the
# optional Rasa backend and `make test-rasa`. Rasa 3.x does not run on Python 3.11+, hence a
# separate interpreter: $RASA_PYTHON, else python3.10 on PATH, else pyenv's newest 3.10.
# About 2.7 GB (TensorFlow) and 2-3 minutes from PyPI; idempotent (a stamp file per version).
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_VERSION="3.6.21"
VENV="${RASA_VENV:-.venv-rasa}"
STAMP="$VENV/.rasa-$RASA_VERSION"

if [[ -f "$STAMP" ]]; then
    exit 0
fi

is_310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

find_python() {
    local root="${PYENV_ROOT:-$HOME/.pyenv}" candidate
    # A pyenv shim named python3.10 may exist without 3.10 being selected: try each candidate.
    for candidate in "${RASA_PYTHON:-}" "$(command -v python3.10 || true)" \
        $(ls -d "$root"/versions/3.10.*/bin/python 2>/dev/null | sort -rV); do
        if [[ -n "$candidate" ]] && is_310 "$candidate"; then echo "$candidate"; return; fi
    done
    echo "Rasa $RASA_VERSION necesita Python 3.10: instálelo o indique RASA_PYTHON=/ruta/python3.10" >&2
    exit 2
}

PYTHON=$(find_python)

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade "pip<25"  # the pip this was tested with
"$VENV/bin/python" -m pip install --quiet "rasa==$RASA_VERSION"
"$VENV/bin/rasa" --version
touch "$STAMP"
