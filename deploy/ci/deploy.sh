#!/usr/bin/env bash
# deploy/ci/deploy.sh ENV_DIR DIGEST
# Deploys one environment (called by .github/workflows/deploy-environment.yml after terraform init):
#   1. remember the digest running now (the rollback target)
#   2. plan with the new digest and show the plan in the job summary
#   3. run `assetstatus migrate` with the new image as a one-off Fargate task; migrations are
#      expand-only, so the running version keeps working on the new schema
#   4. apply the saved plan; ECS replaces tasks only when the new ones are healthy and rolls
#      back by itself when they are not (deployment circuit breaker)
#   5. smoke-test /readyz through CloudFront
# If 4 or 5 fails, the previous digest is applied again and the job fails.
# The first deployment of an environment follows the bootstrap runbook in deploy/README.md.
set -euo pipefail

dir="$1"
digest="$2"
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "not a digest: $digest" >&2; exit 1; }
summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"
tf() { terraform -chdir="$dir" "$@"; }

outputs="$(tf output -json stack 2>/dev/null || echo '{}')"
previous="$(jq -r '.image // "" | sub(".*@"; "")' <<<"$outputs")"
echo "running now: ${previous:-nothing}; deploying: $digest"

tf plan -input=false -no-color -var "image_digest=$digest" -out=deploy.tfplan >plan.txt
{
  echo "### Plan for $(basename "$dir")"
  echo '```'
  grep -E '^  # |^Plan:|^No changes' plan.txt || true
  echo '```'
} >>"$summary"

run_migration() {
  local out cluster family subnets group repository definition arn task code
  out="$(tf output -json stack)"
  cluster="$(jq -r .cluster_name <<<"$out")"
  family="$(jq -r .migrate_task.task_definition <<<"$out")"
  subnets="$(jq -r '.migrate_task.subnets | join(",")' <<<"$out")"
  group="$(jq -r .migrate_task.security_group <<<"$out")"
  repository="$(jq -r .repository_url <<<"$out")"
  # A revision of the migrate task definition with the new image (Terraform moves its own
  # revision to the same image in the apply that follows).
  definition="$(aws ecs describe-task-definition --task-definition "$family" --query taskDefinition --output json |
    jq --arg image "$repository@$digest" '.containerDefinitions[0].image = $image
      | {family, taskRoleArn, executionRoleArn, networkMode, containerDefinitions, volumes,
         requiresCompatibilities, cpu, memory, runtimePlatform}')"
  arn="$(aws ecs register-task-definition --cli-input-json "$definition" --query taskDefinition.taskDefinitionArn --output text)"
  task="$(aws ecs run-task --cluster "$cluster" --launch-type FARGATE --task-definition "$arn" \
    --started-by "deploy-${GITHUB_RUN_ID:-manual}" \
    --network-configuration "awsvpcConfiguration={subnets=[$subnets],securityGroups=[$group],assignPublicIp=DISABLED}" \
    --query 'tasks[0].taskArn' --output text)"
  echo "migration task $task"
  aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"
  code="$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].containers[0].exitCode' --output text)"
  aws ecs deregister-task-definition --task-definition "$arn" >/dev/null
  [[ "$code" == 0 ]] || { echo "migration failed with exit code $code (logs: /assetstatus/*/migrate)" >&2; return 1; }
}

smoke_test() {
  local url
  url="$(tf output -json stack | jq -r .public_base_url)/readyz"
  curl --fail --silent --show-error --retry 10 --retry-all-errors --retry-delay 15 --max-time 10 "$url" >/dev/null
  echo "smoke test passed: $url"
}

roll_back() {
  if [[ -z "$previous" ]]; then
    echo "nothing to roll back to (first deployment)" >&2
    return
  fi
  echo "rolling back to $previous" >&2
  tf apply -input=false -no-color -auto-approve -var "image_digest=$previous" || true
  echo ":warning: deployment of \`$digest\` failed; rolled back to \`$previous\`" >>"$summary"
}

if [[ -n "$previous" ]]; then
  run_migration
fi
if ! tf apply -input=false -no-color deploy.tfplan; then
  roll_back
  exit 1
fi
if [[ -z "$previous" ]]; then
  run_migration
fi
if ! smoke_test; then
  roll_back
  exit 1
fi
echo "Deployed \`$digest\` to $(basename "$dir")" >>"$summary"
