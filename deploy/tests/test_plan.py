"""Property test over the Terraform plans of every environment.

    ASSETSTATUS_PLAN_DIR=<dir with test.json staging.json prod.json test-no-traces.json> python3 -m unittest test_plan

deploy/check writes the plans (`terraform show -json`) and sets ASSETSTATUS_PLAN_DIR. Without it
the tests are skipped, so `python3 -m unittest discover deploy/tests` also works on a machine
without Terraform.

`EveryEnvironment` runs every check in plan_checks.py on every plan; `TracesOff` runs them on the
test environment planned without the traces collector's digest. `ChecksCanFail` breaks a copy of
the production plan in one place at a time and expects the matching check to notice: a check that
cannot fail proves nothing.
"""

from __future__ import annotations

import copy
import json
import os
import unittest
from pathlib import Path
from typing import Any, Callable

import plan_checks as checks

ENVIRONMENTS = ("test", "staging", "prod")
# The test environment planned once more without otel_collector_image_digest (its default).
TRACES_OFF = "test-no-traces"
PLAN_DIR = os.environ.get("ASSETSTATUS_PLAN_DIR")
_cache: dict[str, dict] = {}


def raw_plan(environment: str) -> dict:
    if not PLAN_DIR:
        raise unittest.SkipTest("ASSETSTATUS_PLAN_DIR not set (deploy/check sets it)")
    if environment not in _cache:
        with open(Path(PLAN_DIR) / f"{environment}.json", encoding="utf-8") as f:
            _cache[environment] = json.load(f)
    return _cache[environment]


def plan(environment: str) -> checks.Plan:
    return checks.Plan(raw_plan(environment), environment)


class EveryEnvironment(unittest.TestCase):
    def test_every_property_holds(self) -> None:
        for environment in ENVIRONMENTS:
            p = plan(environment)
            for name, check in checks.CHECKS.items():
                with self.subTest(environment=environment, check=name):
                    self.assertEqual(check(p), [])

    def test_plans_create_and_change_nothing_else(self) -> None:
        for environment in ENVIRONMENTS:
            with self.subTest(environment=environment):
                data = raw_plan(environment)
                self.assertFalse(data.get("errored"), "plan errored")
                actions = {a for rc in data["resource_changes"] for a in rc["change"]["actions"]}
                self.assertLessEqual(actions, {"create", "read", "no-op"})

    def test_environments_come_from_the_same_modules(self) -> None:
        """Same resources everywhere; only sizes and a few switches differ."""
        switches = {
            "aws_route53_resolver_endpoint.inbound",  # staff DNS for the company network (prod)
            "aws_security_group.resolver",
            "aws_vpc_security_group_ingress_rule.resolver",
            "aws_ecr_repository_policy.promotion",  # the next environment pulls (test, staging)
        }

        def shape(environment: str) -> set[str]:
            return {f"{'/'.join(r.module)}:{r.type}.{r.name}" for r in plan(environment).resources}

        prod = shape("prod")
        for environment in ("test", "staging"):
            with self.subTest(environment=environment):
                differences = {d.split(":")[1] for d in prod ^ shape(environment)}
                self.assertLessEqual(differences, switches)

    def test_egress_zones_per_environment(self) -> None:
        expected = {"test": 1, "staging": 1, "prod": 2}
        for environment, zones in expected.items():
            with self.subTest(environment=environment):
                p = plan(environment)
                self.assertEqual(len(p.named("aws_subnet", "firewall")), zones)
                self.assertEqual(len(p.of_type("aws_nat_gateway")), zones)

    def test_database_multi_az_where_it_matters(self) -> None:
        for environment, multi_az in {"test": False, "staging": True, "prod": True}.items():
            with self.subTest(environment=environment):
                (db,) = plan(environment).of_type("aws_db_instance")
                self.assertIs(db.get("multi_az"), multi_az)
                self.assertTrue(db.get("instance_class").startswith("db.t4g."), "Graviton")

    def test_production_is_locked_hardest(self) -> None:
        p = plan("prod")
        (lock,) = p.of_type("aws_s3_bucket_object_lock_configuration")
        self.assertEqual(lock.get("rule", 0, "default_retention", 0, "mode"), "COMPLIANCE")
        for vault_lock in p.of_type("aws_backup_vault_lock_configuration"):
            self.assertIsNotNone(vault_lock.get("changeable_for_days"), "compliance-mode vault lock")

    def test_production_scales_further_than_test(self) -> None:
        def max_tasks(environment: str) -> int:
            return max(t.get("max_capacity") for t in plan(environment).of_type("aws_appautoscaling_target"))

        self.assertGreater(max_tasks("prod"), max_tasks("test"))

    def test_services_run_their_role_groups(self) -> None:
        expected = {
            "public": "gateway,portal,identity",
            "staff": "gateway,backoffice,ops",
            "worker": "worker",
        }
        for environment in ENVIRONMENTS:
            definitions = {td.index: td for td in plan(environment).named("aws_ecs_task_definition", "service")}
            for service, roles in expected.items():
                with self.subTest(environment=environment, service=service):
                    (container,) = [c for c in checks._containers(definitions[service]) if c["name"] == "app"]
                    self.assertEqual(container["command"], ["serve", "--roles", roles])


class TracesOff(unittest.TestCase):
    """Traces are opt-in: without the collector's digest the environment still plans, every property
    holds (services_send_traces_to_xray: no collector, no OTLP endpoint, no pull-through cache, no
    X-Ray permission; private_paths: no X-Ray endpoint), and only the collector's repository, its
    cache and the X-Ray endpoint are left out."""

    def test_every_property_holds_without_the_collector_digest(self) -> None:
        data = raw_plan(TRACES_OFF)
        self.assertIsNone(checks.dig(data, "variables", checks.COLLECTOR_DIGEST_VARIABLE, "value"))
        p = checks.Plan(data, "test")
        for name, check in checks.CHECKS.items():
            with self.subTest(check=name):
                self.assertEqual(check(p), [])

    def test_only_the_collector_image_and_xray_endpoint_are_left_out(self) -> None:
        def addresses(data: dict) -> set[str]:
            return {rc["address"] for rc in data["resource_changes"] if rc.get("mode") == "managed"}

        on, off = addresses(raw_plan("test")), addresses(raw_plan(TRACES_OFF))
        self.assertEqual(off - on, set())
        self.assertEqual(
            {a.removeprefix("module.stack.module.") for a in on - off},
            {
                "compute.aws_ecr_pull_through_cache_rule.ecr_public[0]",
                'compute.aws_ecr_repository.this["otel_collector"]',
                'network.aws_vpc_endpoint.interface["xray"]',
            },
        )


# --- checks can fail ----------------------------------------------------------------------------


def _resources(data: dict) -> list[dict]:
    found = []

    def walk(module: dict) -> None:
        found.extend(module.get("resources", []))
        for child in module.get("child_modules", []):
            walk(child)

    walk(data["planned_values"]["root_module"])
    return found


def _edit(data: dict, predicate: Callable[[dict], bool], change: Callable[[dict], Any]) -> None:
    hits = [r for r in _resources(data) if predicate(r)]
    assert hits, "mutation matched nothing"
    for r in hits:
        change(r["values"])


def _set(path: list, value: Any) -> Callable[[dict], None]:
    def change(values: dict) -> None:
        node: Any = values
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


def _add_open_ingress(data: dict) -> None:
    compute = next(m for m in data["planned_values"]["root_module"]["child_modules"][0]["child_modules"] if m["address"].endswith(".compute"))
    compute["resources"].append(
        {
            "address": "module.stack.module.compute.aws_vpc_security_group_ingress_rule.oops",
            "mode": "managed",
            "type": "aws_vpc_security_group_ingress_rule",
            "name": "oops",
            "values": {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "tcp", "from_port": 443, "to_port": 443},
        }
    )


def _container_edit(key: str, value: Any) -> Callable[[dict], None]:
    def change(values: dict) -> None:
        containers = json.loads(values["container_definitions"])
        containers[0][key] = value
        values["container_definitions"] = json.dumps(containers)

    return change


def _unencrypted_log_group(data: dict) -> None:
    compute = data["configuration"]["root_module"]["module_calls"]["stack"]["module"]["module_calls"]["compute"]["module"]
    group = next(r for r in compute["resources"] if r["address"] == "aws_cloudwatch_log_group.service")
    group["expressions"].pop("kms_key_id")


def _static_without_host(data: dict) -> None:
    """The static-file behavior loses its origin request policy (value and unknown marker)."""
    _edit(data, _type("aws_cloudfront_distribution"), _set(["ordered_cache_behavior", 0, "origin_request_policy_id"], ""))
    for rc in data["resource_changes"]:
        if rc["type"] == "aws_cloudfront_distribution":
            rc["change"]["after_unknown"]["ordered_cache_behavior"][0].pop("origin_request_policy_id", None)


def _task_policy(data: dict, role: str) -> dict:
    """The planned values of a task role's policy document (a data source read at apply)."""
    (rc,) = [
        rc for rc in data["resource_changes"]
        if rc.get("mode") == "data" and rc["type"] == "aws_iam_policy_document" and rc["name"] == "task" and rc.get("index") == role
    ]
    return rc["change"]["after"]


def _worker_writes_documents(data: dict) -> None:
    """The worker, which only reads documents into its backups, is granted PutObject as well."""
    listing = next(st for st in _task_policy(data, "worker")["statement"] if "s3:ListBucket" in st["actions"])
    bucket = listing["resources"][0]
    _task_policy(data, "worker")["statement"].append(
        {"sid": "Oops", "actions": ["s3:PutObject"], "resources": [f"{bucket}/documents/*"], "condition": []}
    )


def _worker_cannot_list(data: dict) -> None:
    policy = _task_policy(data, "worker")
    policy["statement"] = [st for st in policy["statement"] if "s3:ListBucket" not in st["actions"]]


def _worker_lists_whole_bucket(data: dict) -> None:
    for st in _task_policy(data, "worker")["statement"]:
        if "s3:ListBucket" in st["actions"]:
            st["condition"] = []


def _extra_principal_exempt_from_object_deny(data: dict) -> None:
    """One more principal (as if a list-only role were in document_access_role_arns) in the bucket policy."""
    (rc,) = [rc for rc in data["resource_changes"] if rc.get("mode") == "data" and rc["type"] == "aws_iam_policy_document" and rc["name"] == "documents"]
    for st in rc["change"]["after"]["statement"]:
        for cond in st["condition"]:
            if cond["variable"] == "aws:PrincipalArn":
                cond["values"].append(None)


# --- breaks of the application backups ---


def _data_policy(data: dict, module: str, name: str) -> dict:
    """The planned values of a policy document in module.stack.module.<module> (read at apply)."""
    (rc,) = [
        rc for rc in data["resource_changes"]
        if rc.get("mode") == "data" and rc["type"] == "aws_iam_policy_document" and rc["name"] == name
        and rc.get("module_address") == f"module.stack.module.{module}"
    ]
    return rc["change"]["after"]


def _config_of(data: dict, module: str, address: str) -> dict:
    stack = data["configuration"]["root_module"]["module_calls"]["stack"]["module"]
    return next(r for r in stack["module_calls"][module]["module"]["resources"] if r["address"] == address)


def _backup_bucket_in_primary_region(data: dict) -> None:
    """The bucket is created with the default (primary region) provider."""
    _config_of(data, "backup", "aws_s3_bucket.application_backups")["provider_config_key"] = "aws"


def _worker_env(name: str, value: str) -> Callable[[dict], None]:
    def change(values: dict) -> None:
        containers = json.loads(values["container_definitions"])
        env = [e for e in containers[0]["environment"] if e["name"] != name]
        containers[0]["environment"] = env + [{"name": name, "value": value}]
        values["container_definitions"] = json.dumps(containers)

    return change


def _allow_whole_s3_region(data: dict) -> None:
    def change(values: dict) -> None:
        source = values["rule_group"][0]["rules_source"][0]["rules_source_list"][0]
        source["targets"] = [t for t in source["targets"] if "app-backups" not in t] + [".s3.ap-northeast-3.amazonaws.com"]

    _edit(data, _type("aws_networkfirewall_rule_group", "allowed_domains"), change)


def _backups_not_audited(data: dict) -> None:
    trail = _config_of(data, "security", "aws_cloudtrail.this")
    trail["expressions"]["advanced_event_selector"] = [
        s for s in trail["expressions"]["advanced_event_selector"]
        if not any("application_backup" in r for f in s.get("field_selector", []) for r in f.get("starts_with", {}).get("references", []))
    ]


def _staff_reads_backups(data: dict) -> None:
    bucket = next(r["values"]["bucket"] for r in _resources(data) if r["type"] == "aws_s3_bucket" and r["name"] == "application_backups")
    _task_policy(data, "staff")["statement"].append(
        {"sid": "Oops", "actions": ["s3:GetObject"], "resources": [f"arn:aws:s3:::{bucket}/backups/*"], "condition": []}
    )


def _worker_reads_old_key_versions(data: dict) -> None:
    for st in _data_policy(data, "compute", "application_backups")["statement"]:
        if "s3:GetObject" in st["actions"]:
            st["actions"].append("s3:GetObjectVersion")


def _worker_uses_backup_key_directly(data: dict) -> None:
    for st in _data_policy(data, "compute", "application_backups")["statement"]:
        if any(a.startswith("kms:") for a in st["actions"]):
            st["condition"] = []


def _backup_policy_on_staff_role(data: dict) -> None:
    _edit(data, _type("aws_iam_role_policy", "application_backups"), _set(["role"], "assetstatus-prod-staff-task"))


def _staff_exempt_from_backup_deny(data: dict) -> None:
    for st in _data_policy(data, "backup", "application_backups_bucket")["statement"]:
        for cond in st["condition"]:
            if cond["variable"] == "aws:PrincipalArn":
                cond["values"].append("arn:aws:iam::333333333333:role/assetstatus-prod-staff-task")


def _lifecycle_rules(change: Callable[[dict], None], rule_id: str | None = None) -> Callable[[dict], None]:
    """Changes one rule (by ID) or every rule of the application backup bucket's lifecycle. Both
    rules cover keys/ (S3 honours the shorter noncurrent expiration), so a break must defeat both."""
    def edit(data: dict) -> None:
        def each(values: dict) -> None:
            for rule in values["rule"]:
                if rule_id is None or rule["id"] == rule_id:
                    change(rule)

        _edit(data, _type("aws_s3_bucket_lifecycle_configuration", "application_backups"), each)

    return edit


def _shredding_rule_on_wrong_prefix(data: dict) -> None:
    """The short rule filters keys/ (without the prefix the worker writes under) and the archive
    rule keeps noncurrent versions for 30 days: the escrowed keys fall under the latter only."""
    _lifecycle_rules(lambda rule: rule["filter"][0].update(prefix="keys/"), "shred-deleted-customer-keys")(data)
    _lifecycle_rules(lambda rule: rule["noncurrent_version_expiration"][0].update(noncurrent_days=30), "expire-pruned-backups")(data)


def _backup_bucket_selected_by_aws_backup(data: dict) -> None:
    selection = _config_of(data, "backup", "aws_backup_selection.customer_data")
    selection["expressions"]["resources"]["references"] += ["aws_s3_bucket.application_backups.arn", "aws_s3_bucket.application_backups"]


# --- breaks of the traces ---


def _collector_edit(change: Callable[[dict], None]) -> Callable[[dict], None]:
    """Changes the traces collector sidecar of a task definition (its container, found by image)."""
    def edit(values: dict) -> None:
        containers = json.loads(values["container_definitions"])
        hits = [c for c in containers if checks.COLLECTOR_IMAGE in c.get("image", "")]
        assert hits, "no collector sidecar to break"
        for c in hits:
            change(c)
        values["container_definitions"] = json.dumps(containers)

    return edit


def _collector_config_edit(change: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(container: dict) -> None:
        for e in container["environment"]:
            if e["name"] == "AOT_CONFIG_CONTENT":
                config = json.loads(e["value"])
                change(config)
                e["value"] = json.dumps(config)

    return _collector_edit(edit)


def _log_spans(config: dict) -> None:
    """A debug exporter next to X-Ray: every span and its attributes in CloudWatch Logs."""
    config["exporters"]["debug"] = {"verbosity": "detailed"}
    config["service"]["pipelines"]["traces"]["exporters"].append("debug")


def _without_collector(values: dict) -> None:
    containers = json.loads(values["container_definitions"])
    values["container_definitions"] = json.dumps([c for c in containers if checks.COLLECTOR_IMAGE not in c.get("image", "")])


def _app_env_removed(name: str) -> Callable[[dict], None]:
    def change(values: dict) -> None:
        containers = json.loads(values["container_definitions"])
        for c in containers:
            if c["name"] == "app":
                c["environment"] = [e for e in c["environment"] if e["name"] != name]
        values["container_definitions"] = json.dumps(containers)

    return change


def _traces_policy_without_xray(data: dict) -> None:
    """The task role policies lose their X-Ray statement (read at plan time, so in prior_state; in
    resource_changes as well when deferred to apply)."""
    docs = [
        r["values"] for r in _resources({"planned_values": data["prior_state"]["values"]})
        if r.get("mode") == "data" and r["type"] == "aws_iam_policy_document" and r["name"] == "task"
    ] if data.get("prior_state") else []
    docs += [rc["change"]["after"] for rc in data["resource_changes"] if rc.get("mode") == "data" and rc["type"] == "aws_iam_policy_document" and rc["name"] == "task"]
    xray = [st for values in docs for st in values["statement"] if any(a.startswith("xray:") for a in st["actions"])]
    assert xray, "mutation matched nothing"
    for values in docs:
        values["statement"] = [st for st in values["statement"] if st not in xray]


def _collector_digest_unset(data: dict) -> None:
    """The environment planned without the collector's digest (traces off), yet the sidecars, the
    pull-through cache and the X-Ray permission stay."""
    data["variables"][checks.COLLECTOR_DIGEST_VARIABLE] = {"value": None}


def _type(t: str, name: str | None = None, index: Any = None) -> Callable[[dict], bool]:
    return lambda r: r["type"] == t and (name is None or r["name"] == name) and (index is None or r.get("index") == index)


# (what is broken, check that must notice, how to break it)
MUTATIONS: list[tuple[str, str, Callable[[dict], None]]] = [
    ("security group open to the world", "no_ingress_from_the_internet", _add_open_ingress),
    ("app route straight to the NAT gateway", "internet_egress_only_https_through_the_firewall",
     lambda d: _edit(d, _type("aws_route", "app_default"), _set(["nat_gateway_id"], "nat-0123"))),
    ("bucket with SSE-S3", "buckets_protected",
     lambda d: _edit(d, _type("aws_s3_bucket_server_side_encryption_configuration", "documents"),
                     _set(["rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"], "AES256"))),
    ("bucket with public ACLs allowed", "buckets_protected",
     lambda d: _edit(d, _type("aws_s3_bucket_public_access_block", "documents"), _set(["block_public_acls"], False))),
    ("log group without the customer key", "storage_encrypted_with_customer_keys", _unencrypted_log_group),
    ("single-AZ database in prod", "database_resilient_and_private",
     lambda d: _edit(d, _type("aws_db_instance"), _set(["multi_az"], False))),
    ("public database", "database_resilient_and_private",
     lambda d: _edit(d, _type("aws_db_instance"), _set(["publicly_accessible"], True))),
    ("internet-facing staff load balancer", "staff_route_internal_only",
     lambda d: _edit(d, _type("aws_lb", "this", "staff"), _set(["internal"], False))),
    ("staff load balancer open to a public range", "staff_route_internal_only",
     lambda d: _edit(d, _type("aws_vpc_security_group_ingress_rule", "lb_staff_company"), _set(["cidr_ipv4"], "52.95.0.0/16"))),
    ("one task only", "every_service_spans_two_zones",
     lambda d: _edit(d, _type("aws_ecs_service", "this", "public"), _set(["desired_count"], 1))),
    ("no rollback on failed deployment", "every_service_spans_two_zones",
     lambda d: _edit(d, _type("aws_ecs_service", "this", "staff"), _set(["deployment_circuit_breaker", 0, "rollback"], False))),
    ("writable root file system", "containers_hardened",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "public"), _container_edit("readonlyRootFilesystem", False))),
    ("container as root", "containers_hardened",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "worker"), _container_edit("user", "0"))),
    ("image by tag", "containers_hardened",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "migrate"), _container_edit("image", "assetstatus:latest"))),
    ("plain HTTP at the edge", "edge_protected",
     lambda d: _edit(d, _type("aws_cloudfront_distribution"), _set(["default_cache_behavior", 0, "viewer_protocol_policy"], "allow-all"))),
    ("static files without the Host header", "edge_protected", _static_without_host),
    ("interface endpoint without private DNS", "private_paths",
     lambda d: _edit(d, _type("aws_vpc_endpoint", "interface", "kms"), _set(["private_dns_enabled"], False))),
    ("trail without log file validation", "detection_and_audit",
     lambda d: _edit(d, _type("aws_cloudtrail"), _set(["enable_log_file_validation"], False))),
    ("mutable image tags", "detection_and_audit",
     lambda d: _edit(d, _type("aws_ecr_repository"), _set(["image_tag_mutability"], "MUTABLE"))),
    ("budget mails nobody", "notifications",
     lambda d: _edit(d, _type("aws_budgets_budget"), lambda v: [n.update(subscriber_email_addresses=[]) for n in v["notification"]])),
    ("backup without remote copy", "backups_daily_and_remote",
     lambda d: _edit(d, _type("aws_backup_plan"), _set(["rule", 0, "copy_action"], []))),
    ("weekly instead of daily backup", "backups_daily_and_remote",
     lambda d: _edit(d, _type("aws_backup_plan"), _set(["rule", 0, "schedule"], "cron(0 18 ? * SUN *)"))),
    ("worker may write identity documents", "document_bucket_least_privilege", _worker_writes_documents),
    ("worker cannot list the document store (alert fires)", "document_bucket_least_privilege", _worker_cannot_list),
    ("worker lists the whole bucket", "document_bucket_least_privilege", _worker_lists_whole_bucket),
    ("one principal too many exempt from the bucket policy's object deny", "document_bucket_least_privilege", _extra_principal_exempt_from_object_deny),
    ("application backup bucket in the primary region", "application_backups_remote_region", _backup_bucket_in_primary_region),
    ("worker sends application backups to the primary region", "application_backups_remote_region",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "worker"), _worker_env("ASSETSTATUS_BACKUP__S3__REGION", "ap-northeast-1"))),
    ("application backups also on the task's disk", "application_backups_remote_region",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "worker"), _worker_env("ASSETSTATUS_BACKUP__LOCAL", "true"))),
    ("application backup bucket with SSE-S3", "application_backups_remote_region",
     lambda d: _edit(d, _type("aws_s3_bucket_server_side_encryption_configuration", "application_backups"),
                     _set(["rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"], "AES256"))),
    ("application backup bucket unversioned", "application_backups_remote_region",
     lambda d: _edit(d, _type("aws_s3_bucket_versioning", "application_backups"), _set(["versioning_configuration", 0, "status"], "Suspended"))),
    ("application backup bucket with public policies allowed", "application_backups_remote_region",
     lambda d: _edit(d, _type("aws_s3_bucket_public_access_block", "application_backups"), _set(["block_public_policy"], False))),
    ("application backups outside CloudTrail data events", "application_backups_remote_region", _backups_not_audited),
    ("every bucket of the DR region allow-listed at the firewall", "application_backups_remote_region", _allow_whole_s3_region),
    ("staff may read the application backups", "application_backups_least_privilege", _staff_reads_backups),
    ("worker may read old versions of escrowed keys", "application_backups_least_privilege", _worker_reads_old_key_versions),
    ("worker may use the backup key outside S3", "application_backups_least_privilege", _worker_uses_backup_key_directly),
    ("backup policy attached to the staff role", "application_backups_least_privilege", _backup_policy_on_staff_role),
    ("staff role exempt from the backup bucket's deny", "application_backups_least_privilege", _staff_exempt_from_backup_deny),
    ("noncurrent versions kept as long as the 35-day AWS Backup retention", "crypto_shredding_survives_versioning",
     _lifecycle_rules(lambda rule: rule["noncurrent_version_expiration"][0].update(noncurrent_days=35))),
    ("shredding rule on a prefix the worker does not write", "crypto_shredding_survives_versioning", _shredding_rule_on_wrong_prefix),
    ("three old versions of every key kept", "crypto_shredding_survives_versioning",
     _lifecycle_rules(lambda rule: rule["noncurrent_version_expiration"][0].update(newer_noncurrent_versions=3))),
    ("escrowed keys of living customers expire", "crypto_shredding_survives_versioning",
     _lifecycle_rules(lambda rule: rule["expiration"].append({"date": None, "days": 400, "expired_object_delete_marker": False}), "shred-deleted-customer-keys")),
    ("Object Lock on the application backup bucket", "crypto_shredding_survives_versioning",
     lambda d: _edit(d, _type("aws_s3_bucket", "application_backups"), _set(["object_lock_enabled"], True))),
    ("application backup bucket in the AWS Backup selection", "crypto_shredding_survives_versioning", _backup_bucket_selected_by_aws_backup),
    ("no X-Ray endpoint (traces would go to the firewall and be dropped)", "private_paths",
     lambda d: _edit(d, _type("aws_vpc_endpoint", "interface", "xray"), _set(["service_name"], "com.amazonaws.ap-northeast-1.xray-off"))),
    ("X-Ray endpoint kept with traces off (no collector sidecar uses it)", "private_paths",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service"), _without_collector)),
    ("collector sidecar essential (its crash stops the application)", "services_send_traces_to_xray",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "public"), _collector_edit(lambda c: c.update(essential=True)))),
    ("worker task without the collector sidecar", "services_send_traces_to_xray",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "worker"), _without_collector)),
    ("staff application not told the OTLP endpoint", "services_send_traces_to_xray",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "staff"), _app_env_removed("ASSETSTATUS_TELEMETRY__OTLP_ENDPOINT"))),
    ("application exports to the compose stack's collector name", "services_send_traces_to_xray",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "public"), _worker_env("ASSETSTATUS_TELEMETRY__OTLP_ENDPOINT", "http://otel-collector:4318"))),
    ("collector receives OTLP from the whole VPC", "services_send_traces_to_xray",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "public"),
                     _collector_config_edit(lambda cfg: cfg["receivers"]["otlp"]["protocols"]["http"].update(endpoint="0.0.0.0:4318")))),
    ("collector logs every span with its attributes", "services_send_traces_to_xray",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "worker"), _collector_config_edit(_log_spans))),
    ("application waits for the collector's health check", "services_send_traces_to_xray",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "public"),
                     _container_edit("dependsOn", [{"containerName": "otel-collector", "condition": "HEALTHY"}]))),
    ("collector may take 512 MiB from the application", "services_send_traces_to_xray",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "service", "staff"), _collector_edit(lambda c: c.update(memory=512)))),
    ("task roles may not write to X-Ray", "services_send_traces_to_xray", _traces_policy_without_xray),
    ("migrate task told an OTLP endpoint with no collector in its task", "services_send_traces_to_xray",
     lambda d: _edit(d, _type("aws_ecs_task_definition", "migrate"), _worker_env("ASSETSTATUS_TELEMETRY__OTLP_ENDPOINT", "http://127.0.0.1:4318"))),
    ("collector, cache and X-Ray permission kept with the collector's digest unset", "services_send_traces_to_xray", _collector_digest_unset),
]


class ChecksCanFail(unittest.TestCase):
    def test_each_break_is_noticed_by_its_check(self) -> None:
        pristine = raw_plan("prod")
        for what, check_name, breaker in MUTATIONS:
            with self.subTest(mutation=what):
                data = copy.deepcopy(pristine)
                breaker(data)
                problems = checks.CHECKS[check_name](checks.Plan(data, "prod"))
                self.assertTrue(problems, f"{check_name} did not notice: {what}")

    def test_every_check_is_exercised(self) -> None:
        self.assertEqual({name for _, name, _ in MUTATIONS}, set(checks.CHECKS))


if __name__ == "__main__":
    unittest.main()
