#!/usr/bin/env bash
# deploy/ci/refresh-base-images.sh DOCKERFILE
# Replaces the digest of every `FROM image:tag@sha256:...` line with the digest the tag points to
# now. Needs `docker buildx` (GitHub-hosted runners have it).
set -euo pipefail

dockerfile="$1"
grep -Eo '^FROM +[^ ]+@sha256:[0-9a-f]{64}' "$dockerfile" | awk '{print $2}' | while read -r pinned; do
  image="${pinned%@*}"
  current="$(docker buildx imagetools inspect "$image" --format '{{json .Manifest}}' | jq -r .digest)"
  [[ "$current" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "cannot resolve $image" >&2; exit 1; }
  if [[ "$pinned" != "$image@$current" ]]; then
    echo "$image: ${pinned#*@} -> $current"
    sed -i "s|$pinned|$image@$current|" "$dockerfile"
  fi
done
