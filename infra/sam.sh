#!/usr/bin/env bash
# SAM CLI for Mobilise, without an AWS account or Docker.
#
#   bash infra/sam.sh install    pinned aws-sam-cli in its own virtualenv (.tools/sam)
#   bash infra/sam.sh validate   sam validate --lint on template.yaml (fake credentials)
#   bash infra/sam.sh build      sam build (no container) into .aws-sam/build
#
# aws-sam-cli pins its own boto3, cfn-lint, ... so it never shares the project's .venv.
set -euo pipefail

SAM_CLI_VERSION="1.170.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_VENV="$ROOT/.tools/sam"
STAMP="$TOOLS_VENV/.installed-aws-sam-cli-$SAM_CLI_VERSION"
SAM="$TOOLS_VENV/bin/sam"
TEMPLATE="$ROOT/template.yaml"

# Never reach AWS: fake credentials and region, no telemetry, no update check.
export AWS_DEFAULT_REGION="eu-west-1"
export AWS_REGION="eu-west-1"
export AWS_ACCESS_KEY_ID="testing"
export AWS_SECRET_ACCESS_KEY="testing"
unset AWS_SESSION_TOKEN AWS_PROFILE
export SAM_CLI_TELEMETRY=0
export SAM_CLI_DISABLE_UPDATE_CHECK=1 # honoured by recent SAM CLIs; harmless otherwise

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'sam.sh: %s\n' "$*" >&2; exit 1; }

install() {
    # The stamp names the pinned version: changing SAM_CLI_VERSION reinstalls from scratch.
    if [[ -f "$STAMP" && -x "$SAM" ]] && "$TOOLS_VENV/bin/python" -c '' 2>/dev/null; then
        log "aws-sam-cli $SAM_CLI_VERSION already installed in ${TOOLS_VENV#"$ROOT"/}"
        return
    fi
    local python="${SAM_TOOLS_PYTHON:-python3}"
    command -v "$python" >/dev/null || die "no $python on PATH to create ${TOOLS_VENV#"$ROOT"/}"
    log "installing aws-sam-cli $SAM_CLI_VERSION into ${TOOLS_VENV#"$ROOT"/} (with $python)"
    rm -rf "$TOOLS_VENV"
    "$python" -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$TOOLS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "aws-sam-cli==$SAM_CLI_VERSION"
    "$SAM" --version >/dev/null || die "sam does not run after install"
    touch "$STAMP"
}

validate() {
    install
    log "sam validate --lint --template template.yaml"
    cd "$ROOT"
    "$SAM" validate --lint --template "$TEMPLATE"
}

is_python313() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1
}

python313_bin() {
    # sam build (no container) builds python3.13 functions and layers with a local python3.13.
    # A pyenv shim named python3.13 may be on PATH and still not run (no 3.13 selected): try it.
    local found
    if found="$(command -v python3.13)" && is_python313 "$found"; then
        dirname "$found"
        return
    fi
    command -v pyenv >/dev/null || die "sam build needs python3.13: none runs on PATH, and no pyenv"
    local dir
    for dir in "$(pyenv root)"/versions/3.13*/bin; do
        if is_python313 "$dir/python3.13"; then
            echo "$dir"
            return
        fi
    done
    die "sam build needs python3.13: none runs on PATH or in $(pyenv root)/versions/3.13*/bin" \
        "(pyenv install 3.13)"
}

build() {
    install
    local py_bin
    py_bin="$(python313_bin)"
    log "sam build (python3.13 from $py_bin) into .aws-sam/build"
    cd "$ROOT"
    PATH="$py_bin:$PATH" "$SAM" build --template "$TEMPLATE" "$@"
}

usage() {
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
command="$1"
shift
case "$command" in
    install) install ;;
    validate) validate ;;
    build) build "$@" ;;
    *) usage ;;
esac
