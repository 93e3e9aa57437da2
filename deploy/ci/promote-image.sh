#!/usr/bin/env bash
# deploy/ci/promote-image.sh SOURCE_ACCOUNT DIGEST
# Copies the image with this digest from the previous environment's registry into this account's
# registry, byte for byte (the digest stays the same), so staging and production run exactly the
# image that was tested. The source registry allows this account's deploy role to pull
# (promotion_pullers in deploy/terraform/envs/*/main.tf).
set -euo pipefail

source_account="$1"
digest="$2"
region="${AWS_REGION:?}"
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "not a digest: $digest" >&2; exit 1; }

source_registry="$source_account.dkr.ecr.$region.amazonaws.com"
target_registry="$(aws sts get-caller-identity --query Account --output text).dkr.ecr.$region.amazonaws.com"
tag="${GITHUB_SHA:-promoted-$(date -u +%Y%m%d%H%M%S)}"

if aws ecr describe-images --repository-name assetstatus --image-ids "imageDigest=$digest" >/dev/null 2>&1; then
  echo "assetstatus@$digest is already in $target_registry"
  exit 0
fi

command -v skopeo >/dev/null || { sudo apt-get update -q && sudo apt-get install -y -q skopeo; }
# One ECR token is valid for every registry the role may read or write.
password="$(aws ecr get-login-password)"
skopeo login --username AWS --password-stdin "$source_registry" <<<"$password"
skopeo login --username AWS --password-stdin "$target_registry" <<<"$password"
skopeo copy --preserve-digests \
  "docker://$source_registry/assetstatus@$digest" \
  "docker://$target_registry/assetstatus:$tag"

copied="$(aws ecr describe-images --repository-name assetstatus --image-ids "imageTag=$tag" --query 'imageDetails[0].imageDigest' --output text)"
if [[ "$copied" != "$digest" ]]; then
  echo "digest changed during promotion: $digest -> $copied" >&2
  exit 1
fi
echo "promoted assetstatus@$digest from $source_registry to $target_registry"
