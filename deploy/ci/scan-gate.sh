#!/usr/bin/env bash
# deploy/ci/scan-gate.sh REPOSITORY DIGEST
# Waits until Amazon Inspector (ECR enhanced scanning) has scanned the image, then fails if it has
# critical or high findings (O4, X4). Inspector keeps rescanning pushed images as new CVEs appear;
# those later findings reach the administrators through Security Hub (modules/security).
set -euo pipefail

repository="$1"
digest="$2"
query=(--repository-name "$repository" --image-id "imageDigest=$digest")

for attempt in $(seq 1 90); do
  status="$(aws ecr describe-image-scan-findings "${query[@]}" --query 'imageScanStatus.status' --output text 2>/dev/null || echo PENDING)"
  case "$status" in
    COMPLETE | ACTIVE) break ;;
    FAILED | UNSUPPORTED_IMAGE | FINDINGS_UNAVAILABLE | SCAN_ELIGIBILITY_EXPIRED)
      echo "scan of $repository@$digest ended with status $status" >&2
      exit 1
      ;;
  esac
  if [[ "$attempt" == 90 ]]; then
    echo "scan of $repository@$digest did not finish in 15 minutes" >&2
    exit 1
  fi
  sleep 10
done

counts="$(aws ecr describe-image-scan-findings "${query[@]}" --query 'imageScanFindings.findingSeverityCounts' --output json)"
critical="$(jq -r '.CRITICAL // 0' <<<"${counts:-null}")"
high="$(jq -r '.HIGH // 0' <<<"${counts:-null}")"
echo "Inspector findings for $repository@$digest: ${counts:-none}"
if ((critical + high > 0)); then
  aws ecr describe-image-scan-findings "${query[@]}" --output json |
    jq -r '.imageScanFindings.enhancedFindings[]? | select(.severity == "CRITICAL" or .severity == "HIGH") | "\(.severity) \(.title) \(.packageVulnerabilityDetails.vulnerablePackages[0].name // "")"'
  echo "critical or high vulnerabilities: fix them (usually a base-image refresh) before deploying" >&2
  exit 1
fi
