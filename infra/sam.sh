#!/usr/bin/env bash
# SAM CLI and template checks for Mobilise, without an AWS account or Docker.
#
#   bash infra/sam.sh install    pinned aws-sam-cli and cfn-lint-serverless (.tools/sam),
#                                checkov (.tools/checkov)
#   bash infra/sam.sh validate   every template check, offline (fake credentials): sam validate
#                                --lint; cfn-lint with the serverless rules; checkov on
#                                template.yaml and on its CloudFormation translation
#   bash infra/sam.sh build      sam build (no container) into .aws-sam/build
#
# aws-sam-cli pins its own boto3, cfn-lint, ... so it never shares the project's .venv.
# cfn-lint-serverless goes next to it, on the very cfn-lint that `sam validate --lint` runs.
# checkov has dozens of dependencies of its own: it gets a virtualenv to itself.
set -euo pipefail

SAM_CLI_VERSION="1.170.0"
CFN_LINT_SERVERLESS_VERSION="0.3.6"
CHECKOV_VERSION="3.3.30"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_VENV="$ROOT/.tools/sam"
STAMP="$TOOLS_VENV/.installed-aws-sam-cli-$SAM_CLI_VERSION"
SERVERLESS_STAMP="$TOOLS_VENV/.installed-cfn-lint-serverless-$CFN_LINT_SERVERLESS_VERSION"
SAM="$TOOLS_VENV/bin/sam"
CHECKOV_VENV="$ROOT/.tools/checkov"
CHECKOV_STAMP="$CHECKOV_VENV/.installed-checkov-$CHECKOV_VERSION"
TEMPLATE="$ROOT/template.yaml"
TRANSLATED="$ROOT/.aws-sam/translated.json" # template.yaml as CloudFormation (checkov reads it)
CFN_LINT_CONFIG="$ROOT/.cfnlintrc.yaml" # the rules ignored for every resource, with why
CHECKOV_CONFIG="$ROOT/.checkov.yaml"    # the checks skipped for every resource, with why

# Never reach AWS: fake credentials and region, no telemetry, no update check.
export AWS_DEFAULT_REGION="eu-west-1"
export AWS_REGION="eu-west-1"
export AWS_ACCESS_KEY_ID="testing"
export AWS_SECRET_ACCESS_KEY="testing"
unset AWS_SESSION_TOKEN AWS_PROFILE
export SAM_CLI_TELEMETRY=0
export SAM_CLI_DISABLE_UPDATE_CHECK=1 # honoured by recent SAM CLIs; harmless otherwise
# checkov: no API key (nothing is uploaded), no update check; --skip-download below keeps it
# from fetching guidelines and mappings.
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
export BC_SKIP_MAPPING=TRUE

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'sam.sh: %s\n' "$*" >&2; exit 1; }

venv_runs() { [[ -x "$1/bin/python" ]] && "$1/bin/python" -c '' 2>/dev/null; }

new_venv() {
    # new_venv DIR: an empty virtualenv at DIR (any old one removed) with a current pip.
    local python="${SAM_TOOLS_PYTHON:-python3}"
    command -v "$python" >/dev/null || die "no $python on PATH to create ${1#"$ROOT"/}"
    rm -rf "$1"
    "$python" -m venv "$1"
    "$1/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
}

pip_install() {
    local venv="$1"
    shift
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
}

install() {
    # Each stamp names a pinned version: changing SAM_CLI_VERSION reinstalls .tools/sam from
    # scratch (and cfn-lint-serverless with it); changing another pin reinstalls that tool.
    if [[ -f "$STAMP" && -x "$SAM" ]] && venv_runs "$TOOLS_VENV"; then
        log "aws-sam-cli $SAM_CLI_VERSION already installed in ${TOOLS_VENV#"$ROOT"/}"
    else
        log "installing aws-sam-cli $SAM_CLI_VERSION into ${TOOLS_VENV#"$ROOT"/}"
        new_venv "$TOOLS_VENV"
        pip_install "$TOOLS_VENV" "aws-sam-cli==$SAM_CLI_VERSION"
        "$SAM" --version >/dev/null || die "sam does not run after install"
        touch "$STAMP"
    fi
    if [[ ! -f "$SERVERLESS_STAMP" ]]; then
        # On the cfn-lint that aws-sam-cli pinned: pip may add the rules, never move SAM's pins.
        local cfn_lint_version
        cfn_lint_version="$("$TOOLS_VENV/bin/python" -c \
            'import importlib.metadata as m; print(m.version("cfn-lint"))')"
        log "installing cfn-lint-serverless $CFN_LINT_SERVERLESS_VERSION" \
            "(on cfn-lint $cfn_lint_version)"
        pip_install "$TOOLS_VENV" "cfn-lint-serverless==$CFN_LINT_SERVERLESS_VERSION" \
            "cfn-lint==$cfn_lint_version"
        rm -f "$TOOLS_VENV"/.installed-cfn-lint-serverless-*
        touch "$SERVERLESS_STAMP"
    fi
    if [[ -f "$CHECKOV_STAMP" && -x "$CHECKOV_VENV/bin/checkov" ]] \
        && venv_runs "$CHECKOV_VENV"; then
        log "checkov $CHECKOV_VERSION already installed in ${CHECKOV_VENV#"$ROOT"/}"
    else
        log "installing checkov $CHECKOV_VERSION into ${CHECKOV_VENV#"$ROOT"/}"
        new_venv "$CHECKOV_VENV"
        pip_install "$CHECKOV_VENV" "checkov==$CHECKOV_VERSION"
        "$CHECKOV_VENV/bin/checkov" --version >/dev/null || die "checkov does not run after install"
        touch "$CHECKOV_STAMP"
    fi
}

validate() {
    # Every check, offline; any finding fails. A finding accepted on purpose is skipped, with why:
    # for every resource it concerns in .cfnlintrc.yaml (ignore_checks) and .checkov.yaml
    # (skip-check), for one resource next to it in template.yaml (Metadata: cfn-lint / checkov).
    # Both files are named on the command line (and cfn-lint then reads no ~/.cfnlintrc).
    install
    cd "$ROOT"
    local started=$SECONDS
    log "sam validate --lint --template template.yaml"
    "$SAM" validate --lint --template "$TEMPLATE"
    log "cfn-lint template.yaml --append-rules cfn_lint_serverless.rules (.cfnlintrc.yaml)"
    "$TOOLS_VENV/bin/cfn-lint" "$TEMPLATE" --append-rules cfn_lint_serverless.rules \
        --config-file "$CFN_LINT_CONFIG"
    log "aws-sam-translator: template.yaml -> ${TRANSLATED#"$ROOT"/}"
    "$TOOLS_VENV/bin/python" "$ROOT/infra/translate_template.py" "$TEMPLATE" "$TRANSLATED"
    log "checkov on template.yaml and ${TRANSLATED#"$ROOT"/} (.checkov.yaml)"
    # A file checkov cannot parse fails the run instead of passing with nothing checked.
    CKV_PARSE_ERROR_FAIL=true "$CHECKOV_VENV/bin/checkov" --config-file "$CHECKOV_CONFIG" \
        --framework cloudformation --skip-download --quiet --compact \
        --file "$TEMPLATE" --file "$TRANSLATED"
    log "template checks passed in $((SECONDS - started)) s"
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
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
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
