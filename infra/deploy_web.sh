#!/usr/bin/env bash
# Upload the starter's dashboard to a deployed stack (`make deploy-web STACK=name` builds
# web/ first, then runs this):
#
#   bash infra/deploy_web.sh STACK [DIST]
#
# 1. reads the stack's outputs (aws cloudformation describe-stacks);
# 2. writes the app's config.json from them (python -m mobilise_local.app_config);
# 3. uploads DIST (default web/dist) under app/ of AppBucketName: the content-hashed assets
#    first, cached for good, then the documents (index.html, preview-frame.html, ...) and
#    config.json, revalidated on every load, so that no new document names an asset that is
#    not there yet; earlier assets stay, for the pages still open;
# 4. invalidates the documents CloudFront cached (SiteDistributionId).
#
# Needs the AWS CLI, credentials for the stack's account and its region (AWS_REGION).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
IMMUTABLE="public, max-age=31536000, immutable"
REVALIDATE="no-cache"

die() { printf 'deploy_web.sh: %s\n' "$*" >&2; exit 1; }

[[ $# -ge 1 && -n "$1" ]] || die "usage: deploy_web.sh STACK [DIST]"
STACK="$1"
DIST="${2:-$ROOT/web/dist}"
[[ -f "$DIST/index.html" ]] || die "no $DIST/index.html: build the app first (make web)"
command -v aws >/dev/null || die "the AWS CLI (aws) is not on PATH"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
aws cloudformation describe-stacks --stack-name "$STACK" --output json >"$WORK/stack.json"
output() { "$PYTHON" -m mobilise_local.app_config "$WORK/stack.json" --get "$1"; }
BUCKET="$(output AppBucketName)"
DISTRIBUTION="$(output SiteDistributionId)"
"$PYTHON" -m mobilise_local.app_config "$WORK/stack.json" >"$WORK/config.json"

if [[ -d "$DIST/assets" ]]; then
    aws s3 sync "$DIST/assets" "s3://$BUCKET/app/assets" --cache-control "$IMMUTABLE"
fi
aws s3 sync "$DIST" "s3://$BUCKET/app" --delete --exclude "assets/*" --exclude ".built" \
    --exclude "config.json" --cache-control "$REVALIDATE"
aws s3 cp "$WORK/config.json" "s3://$BUCKET/app/config.json" \
    --content-type "application/json" --cache-control "$REVALIDATE"
aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION" \
    --paths "/app/index.html" "/app/config.json" "/app/preview-frame.html" >/dev/null
printf 'deploy_web.sh: %s uploaded to s3://%s/app/, /app/index.html invalidated\n' \
    "$DIST" "$BUCKET" >&2
