"""Properties every environment's Terraform plan must have, read from `terraform show -json`.

Each check takes a Plan and returns a list of violations (empty when the property holds), so the
same functions run on the real plans and on deliberately broken copies (test_plan.py).

Where a value is only known after apply (ARNs, IDs), the check follows the configuration instead:
`Plan.trace` walks references through module variables and outputs to the resources they come
from, e.g. a bucket's `kms_master_key_id` back to an `aws_kms_key` resource.

Standard library only.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

WORLD = {"0.0.0.0/0", "::/0"}
RFC1918 = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


def _company_range(cidr: str | None) -> bool:
    """Company networks arrive over VPN / Direct Connect with private (RFC 1918) addresses."""
    if not cidr:
        return False
    network = ipaddress.ip_network(cidr, strict=False)
    return any(network.version == 4 and network.subnet_of(block) for block in RFC1918)


@dataclass
class Resource:
    address: str
    module: tuple[str, ...]  # ("stack", "data") for module.stack.module.data
    type: str
    name: str
    index: Any
    values: dict
    unknown: dict

    def get(self, *path: Any) -> Any:
        return dig(self.values, *path)

    def is_unknown(self, *path: Any) -> bool:
        node: Any = self.unknown
        for step in path:
            if node is True:
                return True
            if isinstance(node, dict):
                node = node.get(step)
            elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                return False
        return node is True


def dig(node: Any, *path: Any) -> Any:
    """node[path[0]][path[1]]..., or None where a step is missing."""
    for step in path:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return None
    return node


def _strip_index(name: str) -> str:
    """`load_balancers["public"]` -> `load_balancers`."""
    return name.split("[", 1)[0]


def _module_path(address: str | None) -> tuple[str, ...]:
    if not address:
        return ()
    return tuple(re.findall(r"module\.([A-Za-z0-9_-]+)", address))


class Plan:
    def __init__(self, data: dict, environment: str):
        self.data = data
        self.environment = environment
        unknown = {rc["address"]: (rc["change"].get("after_unknown") or {}) for rc in data.get("resource_changes", [])}
        self.resources: list[Resource] = []

        def walk(module: dict) -> None:
            for r in module.get("resources", []):
                if r.get("mode") != "managed":
                    continue
                self.resources.append(
                    Resource(
                        address=r["address"],
                        module=_module_path(module.get("address")),
                        type=r["type"],
                        name=r["name"],
                        index=r.get("index"),
                        values=r.get("values") or {},
                        unknown=unknown.get(r["address"], {}),
                    )
                )
            for child in module.get("child_modules", []):
                walk(child)

        walk(data["planned_values"]["root_module"])

    # --- lookup ---------------------------------------------------------------------------------

    def of_type(self, rtype: str) -> list[Resource]:
        return [r for r in self.resources if r.type == rtype]

    def named(self, rtype: str, name: str, module: str | None = None) -> list[Resource]:
        return [r for r in self.of_type(rtype) if r.name == name and (module is None or r.module[-1:] == (module,))]

    def config_module(self, path: tuple[str, ...]) -> dict:
        node = self.data["configuration"]["root_module"]
        for step in path:
            node = node["module_calls"][step]["module"]
        return node

    def config_resource(self, resource: Resource) -> dict:
        for r in self.config_module(resource.module).get("resources", []):
            if r.get("mode", "managed") == "managed" and r["address"] == f"{resource.type}.{resource.name}":
                return r
        raise KeyError(resource.address)

    def config_data(self, module: tuple[str, ...], rtype: str, name: str) -> dict | None:
        for r in self.config_module(module).get("resources", []):
            if r.get("mode") == "data" and r["address"] == f"data.{rtype}.{name}":
                return r
        return None

    def expression(self, resource: Resource, *path: Any) -> dict | None:
        node: Any = self.config_resource(resource).get("expressions", {})
        for step in path:
            if isinstance(node, dict):
                node = node.get(step)
            elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                return None
        return node if isinstance(node, dict) else None

    # --- reference tracing ----------------------------------------------------------------------

    def trace(self, module: tuple[str, ...], expression: dict | None, _depth: int = 0) -> set[str]:
        """Origins of an expression: "<module path>:<type>.<name>" for resources, "var.X" for root
        variables, "local.X" for locals (which the JSON does not describe)."""
        if expression is None or _depth > 40:
            return set()
        origins: set[str] = set()
        for ref in expression.get("references", []):
            parts = ref.split(".")
            head = parts[0]
            if head == "var":
                if not module:
                    origins.add(ref)
                    continue
                parent = module[:-1]
                call = self.config_module(parent)["module_calls"][module[-1]]
                origins |= self.trace(parent, call.get("expressions", {}).get(parts[1]), _depth + 1)
            elif head == "module":
                if len(parts) < 3:
                    continue
                child = module + (parts[1],)
                output = _strip_index(parts[2])
                out = self.config_module(child).get("outputs", {}).get(output)
                if out:
                    origins |= self.trace(child, out.get("expression"), _depth + 1)
            elif head == "local":
                origins.add(f"local.{parts[1]}")
            elif head in {"each", "count", "path", "terraform", "self"}:
                continue
            elif head == "data":
                origins.add(f"{'/'.join(module)}:data.{parts[1]}.{_strip_index(parts[2])}")
            else:
                origins.add(f"{'/'.join(module)}:{head}.{_strip_index(parts[1])}")
        return origins

    def traced_resources(self, resource: Resource, *path: Any) -> set[str]:
        return {o for o in self.trace(resource.module, self.expression(resource, *path)) if ":" in o}

    def instances(self, origin: str) -> list[Resource]:
        module, _, ref = origin.partition(":")
        rtype, _, name = ref.partition(".")
        path = tuple(module.split("/")) if module else ()
        return [r for r in self.resources if r.module == path and r.type == rtype and r.name == name]


# --- helpers ------------------------------------------------------------------------------------


def _cmk_violations(plan: Plan, resource: Resource, *path: Any) -> list[str]:
    """The attribute at `path` must come from an aws_kms_key (a customer-managed key) and nothing else."""
    origins = plan.traced_resources(resource, *path)
    keys = {o for o in origins if o.split(":")[1].startswith("aws_kms_key.")}
    others = origins - keys
    if not keys:
        value = resource.get(*path)
        return [f"{resource.address}: {'.'.join(map(str, path))} = {value!r} is not a customer-managed KMS key of this configuration"]
    if others:
        return [f"{resource.address}: {'.'.join(map(str, path))} also depends on {sorted(others)}"]
    return []


def _zones_of_subnets(plan: Plan, origins: Iterable[str]) -> tuple[set[str], set[str]]:
    """(availability zones, tiers) of the subnets the origins point at."""
    zones, tiers = set(), set()
    for origin in origins:
        for subnet in plan.instances(origin):
            if subnet.type != "aws_subnet":
                continue
            zones.add(subnet.get("availability_zone"))
            tiers.add((subnet.get("tags") or {}).get("Tier", subnet.name))
    return zones, tiers


def _containers(resource: Resource) -> list[dict]:
    raw = resource.get("container_definitions")
    return json.loads(raw) if isinstance(raw, str) else []


# --- checks -------------------------------------------------------------------------------------


def no_ingress_from_the_internet(plan: Plan) -> list[str]:
    """No security group admits 0.0.0.0/0 or ::/0. The CloudFront-facing path needs no exception:
    the customer load balancer admits only the CloudFront origin-facing prefix list."""
    problems = []
    for r in plan.of_type("aws_vpc_security_group_ingress_rule"):
        if r.get("cidr_ipv4") in WORLD or r.get("cidr_ipv6") in WORLD:
            problems.append(f"{r.address}: ingress from {r.get('cidr_ipv4') or r.get('cidr_ipv6')}")
    for r in plan.of_type("aws_security_group"):
        for rule in r.get("ingress") or []:
            if WORLD & set((rule.get("cidr_blocks") or []) + (rule.get("ipv6_cidr_blocks") or [])):
                problems.append(f"{r.address}: inline ingress from the internet")
    for r in plan.of_type("aws_security_group_rule"):
        if r.get("type") == "ingress" and WORLD & set((r.get("cidr_blocks") or []) + (r.get("ipv6_cidr_blocks") or [])):
            problems.append(f"{r.address}: ingress from the internet")
    public_lb_rules = plan.named("aws_vpc_security_group_ingress_rule", "lb_public_cloudfront")
    if not public_lb_rules:
        problems.append("customer load balancer has no CloudFront-only ingress rule")
    for r in public_lb_rules:
        if r.get("cidr_ipv4") or r.get("cidr_ipv6") or not (r.get("prefix_list_id") or r.is_unknown("prefix_list_id")):
            problems.append(f"{r.address}: customer load balancer must admit the CloudFront prefix list only")
    return problems


def internet_egress_only_https_through_the_firewall(plan: Plan) -> list[str]:
    problems = []
    for r in plan.of_type("aws_vpc_security_group_egress_rule"):
        if r.get("cidr_ipv4") in WORLD or r.get("cidr_ipv6") in WORLD:
            if not (r.get("ip_protocol") == "tcp" and r.get("from_port") == 443 and r.get("to_port") == 443):
                problems.append(f"{r.address}: egress to the internet other than HTTPS")
    if not plan.of_type("aws_networkfirewall_firewall"):
        problems.append("no Network Firewall on the egress path")
    for route in plan.named("aws_route", "app_default"):
        if route.get("nat_gateway_id") or route.get("gateway_id") or not route.is_unknown("vpc_endpoint_id"):
            problems.append(f"{route.address}: app default route bypasses the firewall endpoint")
    for policy in plan.of_type("aws_networkfirewall_firewall_policy"):
        actions = set(policy.get("firewall_policy", 0, "stateful_default_actions") or [])
        if "aws:drop_established" not in actions and "aws:drop_strict" not in actions:
            problems.append(f"{policy.address}: traffic no rule allows is not dropped")
    groups = plan.of_type("aws_networkfirewall_rule_group")
    if not any(g.get("rule_group", 0, "rules_source", 0, "rules_source_list", 0, "generated_rules_type") == "ALLOWLIST" for g in groups):
        problems.append("no domain allow-list rule group")
    if not plan.of_type("aws_networkfirewall_logging_configuration"):
        problems.append("firewall logs are not kept")
    return problems


def buckets_protected(plan: Plan) -> list[str]:
    """Every bucket: SSE-KMS with a customer-managed key, versioning, all public access blocked,
    and a policy that denies requests without TLS."""
    problems = []
    related: dict[str, dict[str, list[Resource]]] = {}
    for kind in ("server_side_encryption_configuration", "versioning", "public_access_block", "policy"):
        for r in plan.of_type(f"aws_s3_bucket_{kind}"):
            for origin in plan.traced_resources(r, "bucket"):
                if ":aws_s3_bucket." in origin:
                    related.setdefault(origin, {}).setdefault(kind, []).append(r)
    buckets = plan.of_type("aws_s3_bucket")
    if not buckets:
        problems.append("no buckets at all")
    for bucket in buckets:
        origin = f"{'/'.join(bucket.module)}:aws_s3_bucket.{bucket.name}"
        parts = related.get(origin, {})
        sse = parts.get("server_side_encryption_configuration", [])
        if not sse:
            problems.append(f"{bucket.address}: no default encryption")
        for s in sse:
            if s.get("rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm") != "aws:kms":
                problems.append(f"{bucket.address}: default encryption is not SSE-KMS")
            problems += _cmk_violations(plan, s, "rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")
        if not any(v.get("versioning_configuration", 0, "status") == "Enabled" for v in parts.get("versioning", [])):
            problems.append(f"{bucket.address}: versioning is off")
        pab = parts.get("public_access_block", [])
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        if not pab or not all(p.get(f) is True for p in pab for f in flags):
            problems.append(f"{bucket.address}: public access is not fully blocked")
        if not any(_denies_plain_http(plan, p) for p in parts.get("policy", [])):
            problems.append(f"{bucket.address}: bucket policy does not deny requests without TLS")
    return problems


def _denies_plain_http(plan: Plan, policy: Resource) -> bool:
    for origin in plan.traced_resources(policy, "policy"):
        module, _, ref = origin.partition(":")
        if not ref.startswith("data.aws_iam_policy_document."):
            continue
        doc = plan.config_data(tuple(module.split("/")), "aws_iam_policy_document", ref.split(".")[-1])
        for statement in (doc or {}).get("expressions", {}).get("statement", []):
            effect = statement.get("effect", {}).get("constant_value")
            for cond in statement.get("condition", []):
                if (
                    effect == "Deny"
                    and cond.get("variable", {}).get("constant_value") == "aws:SecureTransport"
                    and cond.get("values", {}).get("constant_value") == ["false"]
                ):
                    return True
    return False


# (resource type, attribute path) that must be a customer-managed key of this configuration
ENCRYPTED_AT_REST = [
    ("aws_db_instance", ("kms_key_id",)),
    ("aws_db_instance", ("performance_insights_kms_key_id",)),
    ("aws_db_instance", ("master_user_secret_kms_key_id",)),
    ("aws_ecs_cluster", ("configuration", 0, "managed_storage_configuration", 0, "fargate_ephemeral_storage_kms_key_id")),
    ("aws_ecr_repository", ("encryption_configuration", 0, "kms_key")),
    ("aws_cloudwatch_log_group", ("kms_key_id",)),
    ("aws_sns_topic", ("kms_master_key_id",)),
    ("aws_secretsmanager_secret", ("kms_key_id",)),
    ("aws_backup_vault", ("kms_key_arn",)),
    ("aws_cloudtrail", ("kms_key_id",)),
    ("aws_config_delivery_channel", ("s3_kms_key_arn",)),
    ("aws_ebs_default_kms_key", ("key_arn",)),
    ("aws_networkfirewall_firewall", ("encryption_configuration", 0, "key_id")),
    ("aws_networkfirewall_firewall_policy", ("encryption_configuration", 0, "key_id")),
    ("aws_networkfirewall_rule_group", ("encryption_configuration", 0, "key_id")),
    ("aws_s3_bucket_replication_configuration", ("rule", 0, "destination", 0, "encryption_configuration", 0, "replica_kms_key_id")),
]


def storage_encrypted_with_customer_keys(plan: Plan) -> list[str]:
    """Database storage, task storage, images, logs, topics, secrets, backups: all under a
    customer-managed key of this configuration."""
    problems = []
    for rtype, path in ENCRYPTED_AT_REST:
        for r in plan.of_type(rtype):
            problems += _cmk_violations(plan, r, *path)
    for db in plan.of_type("aws_db_instance"):
        if db.get("storage_encrypted") is not True:
            problems.append(f"{db.address}: storage not encrypted")
    for repo in plan.of_type("aws_ecr_repository"):
        if repo.get("encryption_configuration", 0, "encryption_type") != "KMS":
            problems.append(f"{repo.address}: images not encrypted with KMS")
    for key in plan.of_type("aws_kms_key"):
        if key.get("key_usage") in (None, "ENCRYPT_DECRYPT") and key.get("enable_key_rotation") is not True:
            problems.append(f"{key.address}: key rotation is off")
    return problems


def database_resilient_and_private(plan: Plan) -> list[str]:
    problems = []
    dbs = plan.of_type("aws_db_instance")
    if not dbs:
        problems.append("no database")
    for db in dbs:
        if plan.environment in ("staging", "prod") and db.get("multi_az") is not True:
            problems.append(f"{db.address}: not Multi-AZ in {plan.environment}")
        if db.get("publicly_accessible") is not False:
            problems.append(f"{db.address}: publicly accessible")
        if plan.environment in ("staging", "prod") and db.get("deletion_protection") is not True:
            problems.append(f"{db.address}: no deletion protection in {plan.environment}")
        if (db.get("backup_retention_period") or 0) < 7:
            problems.append(f"{db.address}: point-in-time recovery window under 7 days")
    for group in plan.of_type("aws_db_parameter_group"):
        params = {p["name"]: p["value"] for p in group.get("parameter") or []}
        if params.get("rds.force_ssl") != "1":
            problems.append(f"{group.address}: TLS not forced")
    for subnets in plan.of_type("aws_db_subnet_group"):
        zones, tiers = _zones_of_subnets(plan, plan.traced_resources(subnets, "subnet_ids"))
        if len(zones) < 2 or tiers != {"data"}:
            problems.append(f"{subnets.address}: database subnets {sorted(tiers)} in zones {sorted(zones)}")
    return problems


def staff_route_internal_only(plan: Plan) -> list[str]:
    problems = []
    lbs = plan.of_type("aws_lb")
    staff = [lb for lb in lbs if lb.index == "staff"]
    if not staff:
        problems.append("no staff load balancer")
    for lb in lbs:
        if lb.get("internal") is not True:
            problems.append(f"{lb.address}: load balancer is internet-facing")
    for rule in plan.named("aws_vpc_security_group_ingress_rule", "lb_staff_company"):
        cidr = rule.get("cidr_ipv4")
        if not _company_range(cidr) or rule.get("prefix_list_id"):
            problems.append(f"{rule.address}: staff load balancer admits {cidr or rule.get('prefix_list_id')}")
    staff_records = [r for r in plan.of_type("aws_route53_record") if str(r.get("name") or "").startswith("staff.")]
    if not staff_records:
        problems.append("no staff DNS record")
    for record in staff_records:
        for origin in plan.traced_resources(record, "zone_id"):
            for zone in plan.instances(origin):
                if not zone.get("vpc"):
                    problems.append(f"{record.address}: staff name published in public zone {zone.address}")
    for dist in plan.of_type("aws_cloudfront_distribution"):
        if any(str(a).startswith("staff.") for a in dist.get("aliases") or []):
            problems.append(f"{dist.address}: CloudFront serves the staff host name")
    for origin in plan.of_type("aws_cloudfront_vpc_origin"):
        expr = plan.trace(origin.module, plan.expression(origin, "vpc_origin_endpoint_config", 0, "arn"))
        call = plan.config_module(origin.module[:-1])["module_calls"][origin.module[-1]]
        refs = " ".join(call.get("expressions", {}).get("public_load_balancer", {}).get("references", []))
        if '"staff"' in refs or '"public"' not in refs or not expr:
            problems.append(f"{origin.address}: CloudFront origin is not the customer load balancer")
    return problems


def every_service_spans_two_zones(plan: Plan) -> list[str]:
    problems = []
    services = plan.of_type("aws_ecs_service")
    if not services:
        problems.append("no ECS services")
    for svc in services:
        if (svc.get("desired_count") or 0) < 2:
            problems.append(f"{svc.address}: fewer than two tasks")
        if svc.get("network_configuration", 0, "assign_public_ip") is not False:
            problems.append(f"{svc.address}: tasks get public IPs")
        zones, tiers = _zones_of_subnets(plan, plan.traced_resources(svc, "network_configuration", 0, "subnets"))
        if len(zones) < 2 or tiers != {"app"}:
            problems.append(f"{svc.address}: runs in {sorted(tiers)} subnets of zones {sorted(zones)}")
        breaker = svc.get("deployment_circuit_breaker", 0) or {}
        if not (breaker.get("enable") and breaker.get("rollback")):
            problems.append(f"{svc.address}: failed deployments do not roll back")
    for target in plan.of_type("aws_appautoscaling_target"):
        if (target.get("min_capacity") or 0) < 2:
            problems.append(f"{target.address}: auto scaling may go below two tasks")
    for lb in plan.of_type("aws_lb"):
        zones, tiers = _zones_of_subnets(plan, plan.traced_resources(lb, "subnets"))
        if len(zones) < 2 or tiers != {"app"}:
            problems.append(f"{lb.address}: load balancer in {sorted(tiers)} subnets of zones {sorted(zones)}")
    for ep in plan.of_type("aws_vpc_endpoint"):
        if ep.get("vpc_endpoint_type") == "Interface":
            zones, _ = _zones_of_subnets(plan, plan.traced_resources(ep, "subnet_ids"))
            if len(zones) < 2:
                problems.append(f"{ep.address}: endpoint in fewer than two zones")
    return problems


def containers_hardened(plan: Plan) -> list[str]:
    problems = []
    definitions = plan.of_type("aws_ecs_task_definition")
    if not definitions:
        problems.append("no task definitions")
    for td in definitions:
        if td.get("requires_compatibilities") != ["FARGATE"] or td.get("network_mode") != "awsvpc":
            problems.append(f"{td.address}: not a Fargate awsvpc task")
        containers = _containers(td)
        if not containers:
            problems.append(f"{td.address}: container definitions unknown at plan time")
        for c in containers:
            where = f"{td.address} {c.get('name')}"
            user = str(c.get("user", "")).split(":")[0]
            if user in ("", "0", "root"):
                problems.append(f"{where}: runs as root")
            if c.get("readonlyRootFilesystem") is not True:
                problems.append(f"{where}: writable root file system")
            if c.get("privileged"):
                problems.append(f"{where}: privileged")
            if "ALL" not in ((c.get("linuxParameters") or {}).get("capabilities") or {}).get("drop", []):
                problems.append(f"{where}: Linux capabilities not dropped")
            if not re.search(r"@sha256:[0-9a-f]{64}$", c.get("image", "")):
                problems.append(f"{where}: image not pinned by digest")
            for env in c.get("environment", []):
                if re.search(r"(PASSWORD|SECRET|TOKEN|DATABASE_URL|SMTP_URL)$", env["name"]) or re.search(r"://[^/\s:@]+:[^@\s/]+@", env["value"]):
                    problems.append(f"{where}: secret {env['name']} in plain environment")
            for secret in c.get("secrets", []):
                if not secret["valueFrom"].startswith("arn:aws:secretsmanager:"):
                    problems.append(f"{where}: secret {secret['name']} not from Secrets Manager")
            if (c.get("logConfiguration") or {}).get("logDriver") != "awslogs":
                problems.append(f"{where}: logs not shipped")
            command = c.get("command") or []
            if command[:1] == ["serve"] and "healthcheck" not in json.dumps(c.get("healthCheck")):
                problems.append(f"{where}: no container health check")
    return problems


def edge_protected(plan: Plan) -> list[str]:
    problems = []
    dists = plan.of_type("aws_cloudfront_distribution")
    if not dists:
        problems.append("no CloudFront distribution")
    for d in dists:
        behaviors = (d.get("default_cache_behavior") or []) + (d.get("ordered_cache_behavior") or [])
        for i, b in enumerate(behaviors):
            if b.get("viewer_protocol_policy") not in ("redirect-to-https", "https-only"):
                problems.append(f"{d.address}: {b.get('path_pattern', 'default')} allows plain HTTP")
            kind = "default_cache_behavior" if i == 0 else "ordered_cache_behavior"
            index = 0 if i == 0 else i - 1
            if not (b.get("origin_request_policy_id") or d.is_unknown(kind, index, "origin_request_policy_id")):
                problems.append(f"{d.address}: {b.get('path_pattern', 'default')} does not forward Host (origin certificate check fails)")
        if not str(d.get("viewer_certificate", 0, "minimum_protocol_version") or "").startswith("TLSv1.2"):
            problems.append(f"{d.address}: viewers may use TLS older than 1.2")
        if not any(o.startswith(f"{'/'.join(d.module)}:aws_wafv2_web_acl.") for o in plan.traced_resources(d, "web_acl_id")):
            problems.append(f"{d.address}: no AWS WAF web ACL")
        for o in d.get("origin") or []:
            if o.get("custom_origin_config") or not o.get("vpc_origin_config"):
                problems.append(f"{d.address}: origin {o.get('origin_id')} is not a VPC origin (public origin could be bypassed)")
        if not d.get("aliases"):
            problems.append(f"{d.address}: no custom domain")
    acls = plan.of_type("aws_wafv2_web_acl")
    for acl in acls:
        if acl.get("scope") != "CLOUDFRONT":
            problems.append(f"{acl.address}: not a CloudFront web ACL")
        rules = acl.get("rule") or []
        if not any(dig(r, "statement", 0, "rate_based_statement", 0, "aggregate_key_type") == "IP" for r in rules):
            problems.append(f"{acl.address}: no per-IP rate limit")
        managed = {s["name"] for r in rules for st in r.get("statement", []) for s in st.get("managed_rule_group_statement", [])}
        for needed in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesAmazonIpReputationList"):
            if needed not in managed:
                problems.append(f"{acl.address}: managed rule group {needed} missing")
    if not acls:
        problems.append("no AWS WAF web ACL")
    if not plan.of_type("aws_wafv2_web_acl_logging_configuration"):
        problems.append("WAF logs are not kept")
    for cert in plan.of_type("aws_acm_certificate"):
        if cert.get("validation_method") != "DNS":
            problems.append(f"{cert.address}: certificate not DNS-validated (no automatic renewal)")
    return problems


def private_paths(plan: Plan) -> list[str]:
    """AWS services are reached through VPC endpoints with private DNS. X-Ray has one exactly while
    some task runs the traces collector sidecar: without it the spans would go to the egress
    firewall and be dropped; with traces off it would serve nothing and cost about USD 20/month."""
    problems = []
    services = {re.sub(r"^com\.amazonaws\.[a-z0-9-]+\.", "", e.get("service_name") or ""): e for e in plan.of_type("aws_vpc_endpoint")}
    collectors = any(COLLECTOR_IMAGE in str(c.get("image", "")) for td in plan.of_type("aws_ecs_task_definition") for c in _containers(td))
    for needed in ("s3", "ecr.api", "ecr.dkr", "logs", "kms", "secretsmanager", "email-smtp") + (("xray",) if collectors else ()):
        if needed not in services:
            problems.append(f"no VPC endpoint for {needed}")
    if not collectors and "xray" in services:
        problems.append(f"{services['xray'].address}: X-Ray endpoint without a traces collector sidecar to use it")
    for name, ep in services.items():
        if ep.get("vpc_endpoint_type") == "Interface" and ep.get("private_dns_enabled") is not True:
            problems.append(f"{ep.address}: private DNS off, clients would use the public endpoint")
    for subnet in plan.of_type("aws_subnet"):
        if subnet.get("map_public_ip_on_launch"):
            problems.append(f"{subnet.address}: hands out public IPs")
    return problems


def detection_and_audit(plan: Plan) -> list[str]:
    problems = []
    if not any(d.get("enable") for d in plan.of_type("aws_guardduty_detector")):
        problems.append("GuardDuty is off")
    features = {f.get("name"): f.get("status") for f in plan.of_type("aws_guardduty_detector_feature")}
    if features.get("RUNTIME_MONITORING") != "ENABLED":
        problems.append("GuardDuty runtime monitoring is off")
    if not plan.of_type("aws_securityhub_account") or not plan.of_type("aws_securityhub_standards_subscription"):
        problems.append("Security Hub or its standards are off")
    if not any("ECR" in (e.get("resource_types") or []) for e in plan.of_type("aws_inspector2_enabler")):
        problems.append("Inspector does not scan ECR images")
    trails = plan.of_type("aws_cloudtrail")
    if not trails:
        problems.append("no CloudTrail")
    for t in trails:
        for flag in ("is_multi_region_trail", "enable_log_file_validation", "include_global_service_events"):
            if t.get(flag) is not True:
                problems.append(f"{t.address}: {flag} is off")
    if not any(r.get("recording_group", 0, "all_supported") for r in plan.of_type("aws_config_configuration_recorder")):
        problems.append("AWS Config does not record all resources")
    if not any(s.get("is_enabled") for s in plan.of_type("aws_config_configuration_recorder_status")):
        problems.append("AWS Config recorder is stopped")
    for repo in plan.of_type("aws_ecr_repository"):
        if repo.get("image_scanning_configuration", 0, "scan_on_push") is not True:
            problems.append(f"{repo.address}: no scan on push")
        if repo.get("image_tag_mutability") != "IMMUTABLE":
            problems.append(f"{repo.address}: tags can be overwritten")
    if not any(s.get("scan_type") == "ENHANCED" for s in plan.of_type("aws_ecr_registry_scanning_configuration")):
        problems.append("ECR enhanced (continuous) scanning is off")
    if not plan.of_type("aws_flow_log"):
        problems.append("no VPC flow logs")
    return problems


def notifications(plan: Plan) -> list[str]:
    problems = []
    topics = {t.get("name") or "": t for t in plan.of_type("aws_sns_topic")}
    subscribed = {o for s in plan.of_type("aws_sns_topic_subscription") if s.get("protocol") == "email" for o in plan.traced_resources(s, "topic_arn")}
    for suffix in ("-ops-alerts", "-security-alerts", "-billing-alerts", "-edge-alerts"):
        matching = [t for name, t in topics.items() if name.endswith(suffix)]
        if not matching:
            problems.append(f"no {suffix[1:]} topic")
        for t in matching:
            if f"{'/'.join(t.module)}:aws_sns_topic.{t.name}" not in subscribed:
                problems.append(f"{t.address}: nobody is subscribed by mail")
    budgets = plan.of_type("aws_budgets_budget")
    if not budgets or not all(n.get("subscriber_email_addresses") for b in budgets for n in b.get("notification") or []):
        problems.append("no budget notification to the business operators")
    alarms = {a.get("metric_name") for a in plan.of_type("aws_cloudwatch_metric_alarm")}
    for metric in ("HTTPCode_Target_5XX_Count", "TargetResponseTime", "RunningTaskCount", "HealthCheckStatus", "BlockedRequests", "CPUUtilization"):
        if metric not in alarms:
            problems.append(f"no alarm on {metric}")
    if not plan.of_type("aws_cloudwatch_dashboard"):
        problems.append("no dashboard")
    patterns = " ".join(r.get("event_pattern") or "" for r in plan.of_type("aws_cloudwatch_event_rule"))
    for source in ("aws.guardduty", "aws.securityhub", "aws.backup"):
        if source not in patterns:
            problems.append(f"no notification rule for {source}")
    return problems


def backups_daily_and_remote(plan: Plan) -> list[str]:
    problems = []
    providers = plan.data["configuration"].get("provider_config", {})
    primary = providers.get("aws", {}).get("expressions", {}).get("region", {}).get("references") or providers.get("aws", {}).get("expressions", {}).get("region", {}).get("constant_value")
    dr = providers.get("aws.dr", {}).get("expressions", {}).get("region", {}).get("constant_value")
    if not dr or dr == primary:
        problems.append("no separate DR region provider")
    plans = plan.of_type("aws_backup_plan")
    if not plans:
        problems.append("no backup plan")
    for p in plans:
        for rule in p.get("rule") or []:
            if not re.fullmatch(r"cron\(\d+ \d+ \* \* \? \*\)", rule.get("schedule") or ""):
                problems.append(f"{p.address}: rule {rule.get('rule_name')} is not daily")
            if not rule.get("copy_action"):
                problems.append(f"{p.address}: rule {rule.get('rule_name')} keeps no copy in another region")
        vaults = plan.trace(p.module, plan.expression(p, "rule", 0, "copy_action", 0, "destination_vault_arn"))
        for origin in vaults:
            module, _, ref = origin.partition(":")
            config = next((r for r in plan.config_module(tuple(module.split("/"))).get("resources", []) if r["address"] == ref), {})
            if config.get("provider_config_key", "").split(".")[-1] != "dr":
                problems.append(f"{p.address}: copy goes to {ref}, not a vault in the DR region")
    selected = set()
    for s in plan.of_type("aws_backup_selection"):
        selected |= plan.traced_resources(s, "resources")
    if not any(":aws_db_instance." in o for o in selected) or not any(":aws_s3_bucket." in o for o in selected):
        problems.append("daily backup does not select both the database and the document bucket")
    locked = {o for lock in plan.of_type("aws_backup_vault_lock_configuration") for o in plan.traced_resources(lock, "backup_vault_name")}
    for vault in plan.of_type("aws_backup_vault"):
        if f"{'/'.join(vault.module)}:aws_backup_vault.{vault.name}" not in locked:
            problems.append(f"{vault.address}: no vault lock")
    if not plan.of_type("aws_s3_bucket_replication_configuration"):
        problems.append("documents are not replicated to the DR region")
    return problems


# Access to the identity-document bucket each task role needs. The public service uploads
# (identity), the staff service reads for the back office and lists for the operations console's
# probe, the worker reads every (sealed) document into the application's nightly backup and lists
# for its alert engine's probe, never writing one, and the migrate task has no business there.
DOCUMENT_ACCESS = {"public": "read-write", "staff": "read", "worker": "read", "migrate": "none"}
DOCUMENT_OBJECT_ACTIONS = {
    "read-write": {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
    "read": {"s3:GetObject"},
    "list": set(),
    "none": set(),
}
DOCUMENT_PREFIX = "documents/"


def _data_source(plan: Plan, module: tuple[str, ...], rtype: str, name: str) -> dict[Any, dict]:
    """Values of a data source by instance key: read at plan time (prior_state) or deferred to
    apply (resource_changes, with what is already known)."""
    found: dict[Any, dict] = {}

    def walk(node: dict) -> None:
        for r in node.get("resources", []):
            if r.get("mode") == "data" and _module_path(node.get("address")) == module and r["type"] == rtype and r["name"] == name:
                found[r.get("index")] = r.get("values") or {}
        for child in node.get("child_modules", []):
            walk(child)

    walk((plan.data.get("prior_state") or {}).get("values", {}).get("root_module", {}))
    for rc in plan.data.get("resource_changes", []):
        if rc.get("mode") == "data" and _module_path(rc.get("module_address")) == module and rc["type"] == rtype and rc["name"] == name:
            found[rc.get("index")] = rc["change"].get("after") or {}
    return found


def document_bucket_least_privilege(plan: Plan) -> list[str]:
    """Each task role reaches the document bucket as DOCUMENT_ACCESS says and no further: object
    actions only under documents/, listing only the bucket with an s3:prefix condition under
    documents/, the bucket's KMS key (through S3) only for roles that read or write objects. A
    list-only role may list, never read or write objects, and is not among the principals the
    bucket policy exempts from its object-action deny."""
    problems = []
    policies = _data_source(plan, ("stack", "compute"), "aws_iam_policy_document", "task")
    if set(policies) != set(DOCUMENT_ACCESS):
        problems.append(f"task roles {sorted(map(str, policies))}, expected {sorted(DOCUMENT_ACCESS)}")
    object_roles = 0
    for role, level in DOCUMENT_ACCESS.items():
        if role not in policies:
            continue
        where = f"task role {role} ({level})"
        objects: set[str] = set()
        listing = []
        bucket_key = False
        for st in policies[role].get("statement") or []:
            if st.get("effect") not in (None, "Allow"):
                continue
            actions = set(st.get("actions") or [])
            if st.get("not_actions") or st.get("not_resources"):
                problems.append(f"{where}: statement {st.get('sid')} uses NotAction/NotResource")
            for action in actions:
                if action in ("*", "s3:*") or (action.startswith("s3:") and "*" in action):
                    problems.append(f"{where}: wildcard action {action}")
            s3 = {a for a in actions if a.lower().startswith("s3:")}
            if "s3:ListBucket" in s3:
                listing.append(st)
            objects |= s3 - {"s3:ListBucket"}
            if s3 - {"s3:ListBucket"}:
                for resource in st.get("resources") or []:
                    if resource is not None and not str(resource).endswith(f"/{DOCUMENT_PREFIX}*"):
                        problems.append(f"{where}: object actions on {resource}, not under {DOCUMENT_PREFIX}")
            via = {v for c in st.get("condition") or [] if c.get("variable") == "kms:ViaService" for v in c.get("values") or []}
            if any(a.lower().startswith("kms:") for a in actions) and any(str(v).startswith("s3.") for v in via):
                bucket_key = True
        expected = DOCUMENT_OBJECT_ACTIONS[level]
        if objects != expected:
            problems.append(f"{where}: object actions {sorted(objects)}, expected {sorted(expected)}")
        if expected:
            object_roles += 1
        if level == "none" and listing:
            problems.append(f"{where}: may list the document bucket")
        if level != "none" and not listing:
            problems.append(f"{where}: cannot list {DOCUMENT_PREFIX} (the document-store probe fails)")
        for st in listing:
            if set(st.get("actions") or []) != {"s3:ListBucket"}:
                problems.append(f"{where}: listing statement also allows {sorted(set(st.get('actions')) - {'s3:ListBucket'})}")
            resources = st.get("resources") or []
            if not resources or any(r is None or "/" in str(r).removeprefix("arn:aws:s3:::") for r in resources):
                problems.append(f"{where}: listing on {resources}, not the bucket alone")
            prefixes = [v for c in st.get("condition") or [] if c.get("variable") == "s3:prefix" and c.get("test") in ("StringLike", "StringEquals") for v in c.get("values") or []]
            if not prefixes or any(not str(v).startswith(DOCUMENT_PREFIX) for v in prefixes):
                problems.append(f"{where}: listing not limited to the {DOCUMENT_PREFIX} prefix ({prefixes})")
        if bucket_key != bool(expected):
            problems.append(f"{where}: {'has' if bucket_key else 'lacks'} the bucket's KMS key through S3")
    (bucket_policy,) = _data_source(plan, ("stack", "data"), "aws_iam_policy_document", "documents").values() or ({},)
    exempt = [
        c.get("values") or []
        for st in bucket_policy.get("statement") or []
        if st.get("effect") == "Deny" and any(a.startswith("s3:GetObject") for a in st.get("actions") or [])
        for c in st.get("condition") or []
        if c.get("variable") == "aws:PrincipalArn" and c.get("test") == "StringNotLike"
    ]
    if not exempt:
        problems.append("document bucket policy does not deny object access to other principals")
    for values in exempt:
        # the task roles that read or write objects, AWS Backup and S3 replication
        if len(values) != object_roles + 2:
            problems.append(f"document bucket policy exempts {len(values)} principals from its object deny, expected {object_roles + 2}")
    return problems


# --- the application's own backups (crates/backup) -----------------------------------------------

# Services whose task role writes the application's nightly backups: those that run the worker role.
BACKUP_WRITERS = {"worker"}
# What crates/backup does with the bucket, and nothing more.
BACKUP_OBJECT_ACTIONS = {"s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}
BACKUP_KEY_ACTIONS = {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"}
# Longest a deleted customer's escrowed key may survive as a noncurrent version.
KEY_VERSION_DAYS = 7
BUCKET_KINDS = (
    "server_side_encryption_configuration",
    "versioning",
    "public_access_block",
    "policy",
    "ownership_controls",
    "lifecycle_configuration",
    "object_lock_configuration",
    "replication_configuration",
)


def _origin(resource: Resource) -> str:
    return f"{'/'.join(resource.module)}:{resource.type}.{resource.name}"


def _provider_alias(plan: Plan, origin: str) -> str:
    """The provider alias a configured resource uses ("dr" for aws.dr, "" for the default)."""
    module, _, ref = origin.partition(":")
    try:
        config = next(r for r in plan.config_module(tuple(filter(None, module.split("/")))).get("resources", []) if r["address"] == ref)
    except StopIteration:
        return ""
    key = config.get("provider_config_key", "").rsplit(":", 1)[-1]
    return key.split(".", 1)[1] if "." in key else ""


def _bucket_parts(plan: Plan, origin: str) -> dict[str, list[Resource]]:
    """The aws_s3_bucket_* resources of one bucket, by kind."""
    parts: dict[str, list[Resource]] = {}
    for kind in BUCKET_KINDS:
        for r in plan.of_type(f"aws_s3_bucket_{kind}"):
            if origin in plan.traced_resources(r, "bucket"):
                parts.setdefault(kind, []).append(r)
    return parts


def _environment(task_definition: Resource) -> dict[str, str]:
    return {e["name"]: e["value"] for c in _containers(task_definition) for e in c.get("environment", [])}


@dataclass
class BackupTarget:
    bucket: Resource | None
    name: str | None
    region: str | None
    prefix: str
    environments: dict[str, dict[str, str]]  # writer service -> container environment
    problems: list[str]

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"

    @property
    def keys_path(self) -> str:
        return f"{self.prefix}/keys/" if self.prefix else "keys/"


def _backup_target(plan: Plan) -> BackupTarget:
    """The bucket the backup writers' containers are told to use (ASSETSTATUS_BACKUP__S3__*),
    found among the planned buckets; only the writers may be told about it."""
    problems = []
    environments: dict[str, dict[str, str]] = {}
    for td in plan.of_type("aws_ecs_task_definition"):
        service = td.index if td.name == "service" else td.name
        env = _environment(td)
        if service in BACKUP_WRITERS and td.name == "service":
            environments[service] = env
        elif any(n.startswith("ASSETSTATUS_BACKUP__S3__") for n in env):
            problems.append(f"{td.address}: {service} is given the application backup bucket")
    if set(environments) != BACKUP_WRITERS:
        problems.append(f"backup writers {sorted(environments)}, expected {sorted(BACKUP_WRITERS)}")
    targets = {(e.get("ASSETSTATUS_BACKUP__S3__BUCKET"), e.get("ASSETSTATUS_BACKUP__S3__REGION"), (e.get("ASSETSTATUS_BACKUP__S3__PREFIX") or "").strip("/")) for e in environments.values()}
    if len(targets) != 1:
        problems.append(f"backup writers are given {len(targets)} different backup locations")
        return BackupTarget(None, None, None, "", environments, problems)
    ((name, region, prefix),) = targets
    if not name:
        problems.append("no backup writer is given ASSETSTATUS_BACKUP__S3__BUCKET")
    buckets = [b for b in plan.of_type("aws_s3_bucket") if name and b.get("bucket") == name]
    if name and len(buckets) != 1:
        problems.append(f"the backup bucket {name} is not a bucket of this plan")
    return BackupTarget(buckets[0] if len(buckets) == 1 else None, name, region, prefix, environments, problems)


def _policy_documents(plan: Plan) -> list[tuple[str, Any, dict]]:
    """Every aws_iam_policy_document instance with its planned values: (origin, index, values)."""
    found = []
    for rc in plan.data.get("resource_changes", []):
        if rc.get("mode") == "data" and rc["type"] == "aws_iam_policy_document":
            module = "/".join(_module_path(rc.get("module_address")))
            found.append((f"{module}:data.aws_iam_policy_document.{rc['name']}", rc.get("index"), rc["change"].get("after") or {}))

    def walk(node: dict) -> None:
        for r in node.get("resources", []):
            if r.get("mode") == "data" and r["type"] == "aws_iam_policy_document":
                module = "/".join(_module_path(node.get("address")))
                found.append((f"{module}:data.aws_iam_policy_document.{r['name']}", r.get("index"), r.get("values") or {}))
        for child in node.get("child_modules", []):
            walk(child)

    walk((plan.data.get("prior_state") or {}).get("values", {}).get("root_module", {}))
    return found


def _config_statements(plan: Plan, origin: str) -> list[dict]:
    module, _, ref = origin.partition(":")
    path = tuple(filter(None, module.split("/")))
    doc = plan.config_data(path, "aws_iam_policy_document", ref.split(".")[-1]) or {}
    return doc.get("expressions", {}).get("statement", [])


def _identity_statements(doc: dict) -> list[dict]:
    """Allow statements of an identity policy (resource and endpoint policies name principals)."""
    return [st for st in doc.get("statement") or [] if st.get("effect") in (None, "Allow") and not st.get("principals")]


def _covers(patterns: Iterable[str], value: str) -> bool:
    """Whether an IAM pattern (with * and ?) matches value, case-insensitively as IAM actions do."""
    for pattern in patterns:
        regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in str(pattern))
        if re.fullmatch(regex, value, flags=re.IGNORECASE):
            return True
    return False


def application_backups_remote_region(plan: Plan) -> list[str]:
    """X2 for the application's own backups: the bucket the worker writes to exists in the DR
    region (not the region the tasks run in), nothing stays on the task's disk, and the bucket is
    SSE-KMS under a rotated customer-managed key of the DR region, versioned, closed to the public,
    owner-enforced, TLS-only, aborts interrupted uploads, is audited by CloudTrail data events, and
    is reachable through the egress firewall by its own host name only."""
    target = _backup_target(plan)
    problems = list(target.problems)
    if target.bucket is None:
        return problems or ["no application backup bucket"]
    bucket = target.bucket
    origin = _origin(bucket)
    providers = plan.data["configuration"].get("provider_config", {})
    dr_region = dig(providers, "aws.dr", "expressions", "region", "constant_value")
    if _provider_alias(plan, origin) != "dr":
        problems.append(f"{bucket.address}: not created with the DR region's provider")
    for service, env in target.environments.items():
        primary = env.get("AWS_REGION")
        if not dr_region or target.region != dr_region or target.region == primary:
            problems.append(f"{service}: backups go to region {target.region}, the tasks run in {primary}, the DR region is {dr_region}")
        if env.get("ASSETSTATUS_BACKUP__LOCAL") != "false":
            problems.append(f"{service}: backups also kept on the task's disk (ASSETSTATUS_BACKUP__LOCAL={env.get('ASSETSTATUS_BACKUP__LOCAL')})")
    parts = _bucket_parts(plan, origin)
    sse = parts.get("server_side_encryption_configuration", [])
    if not sse:
        problems.append(f"{bucket.address}: no default encryption")
    for s in sse:
        path = ("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")
        if s.get("rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm") != "aws:kms":
            problems.append(f"{bucket.address}: default encryption is not SSE-KMS")
        problems += _cmk_violations(plan, s, *path)
        for key_origin in plan.traced_resources(s, *path):
            if _provider_alias(plan, key_origin) != "dr":
                problems.append(f"{bucket.address}: encrypted with {key_origin}, not a key of the DR region")
            for key in plan.instances(key_origin):
                if key.type == "aws_kms_key" and key.get("enable_key_rotation") is not True:
                    problems.append(f"{key.address}: key rotation is off")
    if not any(v.get("versioning_configuration", 0, "status") == "Enabled" for v in parts.get("versioning", [])):
        problems.append(f"{bucket.address}: versioning is off")
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    pab = parts.get("public_access_block", [])
    if not pab or not all(p.get(f) is True for p in pab for f in flags):
        problems.append(f"{bucket.address}: public access is not fully blocked")
    if not any(o.get("rule", 0, "object_ownership") == "BucketOwnerEnforced" for o in parts.get("ownership_controls", [])):
        problems.append(f"{bucket.address}: object ownership is not bucket-owner-enforced (ACLs still count)")
    if not any(_denies_plain_http(plan, p) for p in parts.get("policy", [])):
        problems.append(f"{bucket.address}: bucket policy does not deny requests without TLS")
    aborts = [
        dig(rule, "abort_incomplete_multipart_upload", 0, "days_after_initiation")
        for lc in parts.get("lifecycle_configuration", [])
        for rule in lc.get("rule") or []
        if rule.get("status") == "Enabled" and not (dig(rule, "filter", 0, "prefix") or rule.get("prefix"))
    ]
    if not any(isinstance(d, int) and 0 < d <= 7 for d in aborts):
        problems.append(f"{bucket.address}: interrupted multipart uploads are never aborted")
    audited = False
    for trail in plan.of_type("aws_cloudtrail"):
        for i, selector in enumerate(plan.config_resource(trail).get("expressions", {}).get("advanced_event_selector") or []):
            for j, _ in enumerate(selector.get("field_selector") or []):
                if origin in plan.traced_resources(trail, "advanced_event_selector", i, "field_selector", j, "starts_with"):
                    audited = True
    if not audited:
        problems.append(f"{bucket.address}: CloudTrail records no object-level events on it")
    host = f"{target.name}.s3.{target.region}.amazonaws.com"
    allowed = [t for g in plan.of_type("aws_networkfirewall_rule_group") for t in g.get("rule_group", 0, "rules_source", 0, "rules_source_list", 0, "targets") or []]
    if host not in allowed:
        problems.append(f"the egress firewall does not let the worker reach {host}")
    for t in allowed:
        if t != host and host.endswith(t if t.startswith(".") else f".{t}"):
            problems.append(f"the egress firewall allows {t}: every bucket behind it, not only the backup bucket")
    for service, env in target.environments.items():
        if env.get("AWS_VIRTUAL_HOSTED_STYLE_REQUEST") != "true":
            problems.append(f"{service}: path-style S3 requests carry s3.{target.region}.amazonaws.com, which the firewall drops")
    return problems


def application_backups_least_privilege(plan: Plan) -> list[str]:
    """Only the backup writers' task roles reach the application's backups: one inline policy,
    attached to exactly those roles, grants exactly BACKUP_OBJECT_ACTIONS under the prefix,
    s3:ListBucket on the bucket and BACKUP_KEY_ACTIONS on the bucket's key through S3 of its
    region; no other identity policy names the bucket or its key; and the bucket policy denies
    object access and listing to every principal but exactly those roles (administrators and the
    deploy role included, whose broad policies would otherwise reach it)."""
    target = _backup_target(plan)
    problems = list(target.problems)
    if target.bucket is None:
        return problems or ["no application backup bucket"]
    bucket = target.bucket
    origin = _origin(bucket)
    parts = _bucket_parts(plan, origin)
    key_origins = {o for s in parts.get("server_side_encryption_configuration", []) for o in plan.traced_resources(s, "rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")}
    writer_roles = {r.get("name") for r in plan.named("aws_iam_role", "task") if r.index in BACKUP_WRITERS}
    if len(writer_roles) != len(BACKUP_WRITERS):
        problems.append(f"task roles of the backup writers: {sorted(map(str, writer_roles))}")

    # Which identity policies reach the bucket (by name or wildcard) or its key (by reference).
    granting: dict[tuple[str, str], dict] = {}
    for doc_origin, index, doc in _policy_documents(plan):
        for st in _identity_statements(doc):
            resources = [r for r in st.get("resources") or [] if r is not None]
            s3 = [a for a in st.get("actions") or [] if a == "*" or a.lower().startswith("s3:")]
            if s3 and any(_covers([r], target.arn) or _covers([r], f"{target.arn}/{target.keys_path}x") for r in resources):
                granting[(doc_origin, str(index))] = doc
        module = tuple(filter(None, doc_origin.partition(":")[0].split("/")))
        for st in _config_statements(plan, doc_origin):
            if st.get("principals") or dig(st, "effect", "constant_value") == "Deny":
                continue
            if key_origins & plan.trace(module, st.get("resources")):
                granting[(doc_origin, str(index))] = doc
    if len(granting) != 1:
        problems.append(f"identity policies reaching the application backups: {sorted(granting) or 'none'} (expected exactly one)")
    for (doc_origin, _index), doc in granting.items():
        module, _, ref = doc_origin.partition(":")
        attached = [
            r for r in plan.resources
            if r.type in ("aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy")
            and doc_origin in plan.traced_resources(r, "policy")
        ]
        roles = {r.get("role") for r in attached if r.type == "aws_iam_role_policy"}
        if roles != writer_roles or any(r.type != "aws_iam_role_policy" for r in attached):
            problems.append(f"{doc_origin} is attached to {sorted(map(str, roles))} {sorted(r.address for r in attached if r.type != 'aws_iam_role_policy')}, expected the roles {sorted(map(str, writer_roles))}")
        objects: set[str] = set()
        listing: set[str] = set()
        keys: set[str] = set()
        for st in doc.get("statement") or []:
            if st.get("effect") not in (None, "Allow"):
                continue
            actions = set(st.get("actions") or [])
            if st.get("not_actions") or st.get("not_resources"):
                problems.append(f"{doc_origin}: statement {st.get('sid')} uses NotAction/NotResource")
            if any("*" in a or "?" in a for a in actions):
                problems.append(f"{doc_origin}: wildcard action in {sorted(actions)}")
            resources = st.get("resources") or []
            s3 = {a for a in actions if a.lower().startswith("s3:")}
            kms = {a for a in actions if a.lower().startswith("kms:")}
            if actions - s3 - kms:
                problems.append(f"{doc_origin}: also grants {sorted(actions - s3 - kms)}")
            if s3 & {"s3:ListBucket"}:
                listing |= s3
                if s3 != {"s3:ListBucket"} or resources != [target.arn]:
                    problems.append(f"{doc_origin}: listing statement grants {sorted(s3)} on {resources}, expected s3:ListBucket on {target.arn}")
            elif s3:
                objects |= s3
                under = f"{target.arn}/{target.prefix + '/' if target.prefix else ''}"
                if not resources or any(r is None or not str(r).startswith(under) or not str(r).endswith("/*") for r in resources):
                    problems.append(f"{doc_origin}: object actions on {resources}, not under {under}")
            if kms:
                keys |= kms
                via = {v for c in st.get("condition") or [] if c.get("variable") == "kms:ViaService" and c.get("test") == "StringEquals" for v in c.get("values") or []}
                if via != {f"s3.{target.region}.amazonaws.com"}:
                    problems.append(f"{doc_origin}: the backup key is usable outside S3 of {target.region} (kms:ViaService {sorted(via)})")
        for i, st in enumerate(_config_statements(plan, doc_origin)):
            actions = dig(st, "actions", "constant_value") or []
            if any(str(a).lower().startswith("kms:") for a in actions):
                refs = {o for o in plan.trace(tuple(filter(None, module.split("/"))), st.get("resources")) if ":aws_kms_key." in o}
                if refs != key_origins:
                    problems.append(f"{doc_origin}: key actions on {sorted(refs)}, expected the bucket's key {sorted(key_origins)}")
        if objects != BACKUP_OBJECT_ACTIONS:
            problems.append(f"{doc_origin}: object actions {sorted(objects)}, expected {sorted(BACKUP_OBJECT_ACTIONS)}")
        if listing != {"s3:ListBucket"}:
            problems.append(f"{doc_origin}: cannot list the backups")
        if keys != BACKUP_KEY_ACTIONS:
            problems.append(f"{doc_origin}: key actions {sorted(keys)}, expected {sorted(BACKUP_KEY_ACTIONS)}")

    # The bucket policy's deny for everyone but the writers.
    needed = ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucket", "s3:ListBucketVersions")
    fenced = False
    for policy in parts.get("policy", []):
        for doc_origin in plan.traced_resources(policy, "policy"):
            module, _, ref = doc_origin.partition(":")
            if not ref.startswith("data.aws_iam_policy_document."):
                continue
            for doc in _data_source(plan, tuple(filter(None, module.split("/"))), "aws_iam_policy_document", ref.split(".")[-1]).values():
                for st in doc.get("statement") or []:
                    everyone = any("*" in (p.get("identifiers") or []) for p in st.get("principals") or [])
                    if st.get("effect") != "Deny" or not everyone:
                        continue
                    if not all(_covers(st.get("actions") or [], a) for a in needed):
                        continue
                    for c in st.get("condition") or []:
                        if c.get("variable") != "aws:PrincipalArn" or c.get("test") not in ("StringNotLike", "StringNotEquals", "ArnNotLike", "ArnNotEquals"):
                            continue
                        values = c.get("values") or []
                        expected_values = {v for v in values if isinstance(v, str) and re.fullmatch(r"arn:aws:iam::\d{12}:role/[\w+=,.@-]+", v) and v.rsplit("/", 1)[1] in writer_roles}
                        if len(values) == len(writer_roles) == len(expected_values):
                            fenced = True
                        else:
                            problems.append(f"{policy.address}: exempts {values} from its deny, expected exactly the roles {sorted(map(str, writer_roles))}")
    if not fenced:
        problems.append(f"{bucket.address}: bucket policy does not deny object access and listing to everyone but the backup writers")
    return problems


def crypto_shredding_survives_versioning(plan: Plan) -> list[str]:
    """Deleting keys/<customer> must make every older archive unable to restore that customer,
    so no copy of the key may outlive the delete for long: an enabled lifecycle rule covering the
    escrow path the writers use expires noncurrent versions within KEY_VERSION_DAYS (and keeps no
    "newer noncurrent versions" beyond that), no rule expires current keys of living customers,
    Object Lock is off, and neither AWS Backup nor replication copies the bucket."""
    target = _backup_target(plan)
    problems = list(target.problems)
    if target.bucket is None:
        return problems or ["no application backup bucket"]
    bucket = target.bucket
    origin = _origin(bucket)
    parts = _bucket_parts(plan, origin)
    path = target.keys_path

    def covers(rule: dict) -> bool:
        f = dig(rule, "filter", 0) or {}
        if f.get("and") or f.get("tag") or f.get("object_size_greater_than") or f.get("object_size_less_than"):
            return False
        return path.startswith(f.get("prefix") or rule.get("prefix") or "")

    rules = [r for lc in parts.get("lifecycle_configuration", []) for r in lc.get("rule") or [] if r.get("status") == "Enabled" and covers(r)]
    shredding = [
        r for r in rules
        if isinstance(dig(r, "noncurrent_version_expiration", 0, "noncurrent_days"), int)
        and 0 < dig(r, "noncurrent_version_expiration", 0, "noncurrent_days") <= KEY_VERSION_DAYS
        and not dig(r, "noncurrent_version_expiration", 0, "newer_noncurrent_versions")
    ]
    if not shredding:
        found = [
            f"{r.get('id')}: {dig(r, 'noncurrent_version_expiration', 0, 'noncurrent_days')} days, {dig(r, 'noncurrent_version_expiration', 0, 'newer_noncurrent_versions') or 0} newer versions kept"
            for r in rules
        ]
        problems.append(f"{bucket.address}: no lifecycle rule expires noncurrent versions under {path} within {KEY_VERSION_DAYS} days ({found or 'no rule covers it'})")
    for r in rules:
        days = dig(r, "expiration", 0, "days")
        if days or dig(r, "expiration", 0, "date"):
            problems.append(f"{bucket.address}: rule {r.get('id')} expires current escrowed keys of living customers")
    if bucket.get("object_lock_enabled") or parts.get("object_lock_configuration"):
        problems.append(f"{bucket.address}: Object Lock keeps every version of a deleted customer's key")
    for selection in plan.of_type("aws_backup_selection"):
        if origin in plan.traced_resources(selection, "resources"):
            problems.append(f"{selection.address}: AWS Backup copies the escrowed keys beyond their deletion")
    if parts.get("replication_configuration"):
        problems.append(f"{bucket.address}: replicated; the replica keeps deleted customers' keys")
    return problems


# --- traces ---------------------------------------------------------------------------------------

OTLP_ENDPOINT_VARIABLE = "ASSETSTATUS_TELEMETRY__OTLP_ENDPOINT"
COLLECTOR_IMAGE = "aws-otel-collector"
# Root variable of every environment: the collector image's digest, unset (null) when traces are off.
COLLECTOR_DIGEST_VARIABLE = "otel_collector_image_digest"
# Most memory the collector sidecar may take from its task (tasks have 512 or 1,024 MiB).
COLLECTOR_MEMORY_MIB = 128


def _attached_policy_statements(plan: Plan, role: Resource) -> list[dict]:
    """Statements of the inline policies attached to a role (aws_iam_role_policy naming it by name,
    or, where the name is known only after apply, by reference with the same instance key)."""
    origin = _origin(role)
    statements = []
    for attachment in plan.of_type("aws_iam_role_policy"):
        by_name = attachment.get("role") is not None and attachment.get("role") == role.get("name")
        by_reference = attachment.get("role") is None and attachment.index == role.index and origin in plan.traced_resources(attachment, "role")
        if not (by_name or by_reference):
            continue
        for doc_origin in plan.traced_resources(attachment, "policy"):
            module, _, ref = doc_origin.partition(":")
            if not ref.startswith("data.aws_iam_policy_document."):
                continue
            docs = _data_source(plan, tuple(filter(None, module.split("/"))), "aws_iam_policy_document", ref.split(".")[-1])
            doc = docs.get(attachment.index, docs.get(None)) or {}
            statements += _identity_statements(doc)
    return statements


def _may_put_traces(plan: Plan, role: Resource) -> bool:
    return _covers([a for st in _attached_policy_statements(plan, role) for a in st.get("actions") or []], "xray:PutTraceSegments")


def _traces_on(plan: Plan) -> bool:
    """Whether the environment was planned with the collector's digest (its root variable); unset,
    traces are off."""
    return dig(plan.data, "variables", COLLECTOR_DIGEST_VARIABLE, "value") is not None


def _the_one(containers: list[dict], essential: bool, what: str, where: str, problems: list[str]) -> dict | None:
    """The one container of a kind in a task, essential or not as expected; None (and a problem)
    when the task has none or several."""
    if len(containers) != 1:
        problems.append(f"{where}: {len(containers)} {what}s, expected one")
        return None
    if containers[0].get("essential") is not essential:
        problems.append(f"{where}: the {what} has essential={containers[0].get('essential')!r}, expected {essential}")
    return containers[0]


def services_send_traces_to_xray(plan: Plan) -> list[str]:
    """No application is told an OTLP endpoint without a collector in its task. With the collector's
    digest set, every service's task runs the ADOT collector beside the application: not essential
    (a collector crash never stops the application), pinned by digest, with a small memory limit,
    logging to the service's log group, receiving OTLP/HTTP on the loopback and exporting to X-Ray
    in the task's region only (no debug or logging exporter that would write spans and their
    attributes to the logs); the application container is essential, waits for nothing but the
    collector's start, and its ASSETSTATUS_TELEMETRY__OTLP_ENDPOINT is that receiver; the service's
    task role may put trace segments. With the digest unset, traces are off and open nothing: no
    collector, no pull-through cache, no task role that may write to X-Ray."""
    problems = []
    traces_on = _traces_on(plan)
    if not plan.named("aws_ecs_task_definition", "service"):
        problems.append("no service task definitions")
    for td in plan.of_type("aws_ecs_task_definition"):
        where = td.address
        containers = _containers(td)
        collectors = [c for c in containers if COLLECTOR_IMAGE in str(c.get("image", ""))]
        apps = [c for c in containers if c.get("name") == "app"]
        told = {e["value"] for c in apps for e in c.get("environment", []) if e["name"] == OTLP_ENDPOINT_VARIABLE}
        if told and not collectors:
            problems.append(f"{where}: exports traces to {sorted(told)} without a collector in the task")
        if not traces_on and collectors:
            problems.append(f"{where}: runs a traces collector although {COLLECTOR_DIGEST_VARIABLE} is unset")
        if not traces_on or td.name != "service":
            continue
        app = _the_one(apps, True, "application container", where, problems)
        collector = _the_one(collectors, False, "traces collector sidecar", where, problems)
        if app is None or collector is None:
            continue
        for dependency in app.get("dependsOn") or []:
            if dependency.get("containerName") == collector.get("name") and dependency.get("condition") != "START":
                problems.append(f"{where}: the application waits for the collector to be {dependency.get('condition')}")
        if not re.search(r"@sha256:[0-9a-f]{64}$", collector.get("image", "")):
            problems.append(f"{where}: collector image not pinned by digest")
        memory = collector.get("memory")
        if not isinstance(memory, int) or memory > COLLECTOR_MEMORY_MIB or not collector.get("memoryReservation") or collector["memoryReservation"] > memory:
            problems.append(f"{where}: collector memory {collector.get('memoryReservation')}/{memory} MiB, expected a reservation under a hard limit of at most {COLLECTOR_MEMORY_MIB} MiB")
        app_logs = dig(app, "logConfiguration", "options", "awslogs-group")
        if dig(collector, "logConfiguration", "logDriver") != "awslogs" or dig(collector, "logConfiguration", "options", "awslogs-group") != app_logs:
            problems.append(f"{where}: collector does not log to the service's log group {app_logs}")
        env = {e["name"]: e["value"] for e in collector.get("environment", [])}
        try:
            config = json.loads(env.get("AOT_CONFIG_CONTENT") or "")
        except ValueError:
            problems.append(f"{where}: collector has no readable AOT_CONFIG_CONTENT")
            continue
        receiver = dig(config, "receivers", "otlp", "protocols", "http", "endpoint")
        if not isinstance(receiver, str) or not receiver.startswith("127.0.0.1:"):
            problems.append(f"{where}: collector receives OTLP/HTTP on {receiver!r}, not on the loopback only")
        if told != {f"http://{receiver}"}:
            problems.append(f"{where}: application exports traces to {sorted(told) or 'nowhere'}, the collector listens on {receiver}")
        pipelines = dig(config, "service", "pipelines") or {}
        traces = pipelines.get("traces") or {}
        if traces.get("receivers") != ["otlp"]:
            problems.append(f"{where}: traces pipeline receives from {traces.get('receivers')}")
        exporters = {e for p in pipelines.values() for e in (p.get("exporters") or [])}
        if exporters != {"awsxray"}:
            problems.append(f"{where}: collector exports to {sorted(exporters)}, expected awsxray only (no exporter that logs spans)")
        xray = dig(config, "exporters", "awsxray") or {}
        region = next((e["value"] for e in app.get("environment", []) if e["name"] == "AWS_REGION"), None)
        if xray.get("region") != region:
            problems.append(f"{where}: X-Ray region {xray.get('region')}, the task runs in {region}")
        if xray.get("index_all_attributes") or xray.get("indexed_attributes"):
            problems.append(f"{where}: span attributes indexed in X-Ray")
        roles = [r for r in plan.named("aws_iam_role", "task") if r.index == td.index]
        if len(roles) != 1:
            problems.append(f"{where}: no task role of its own")
            continue
        if not _may_put_traces(plan, roles[0]):
            problems.append(f"{roles[0].address}: may not put trace segments to X-Ray")
    if not traces_on:
        for role in plan.named("aws_iam_role", "task"):
            if _may_put_traces(plan, role):
                problems.append(f"{role.address}: may put trace segments to X-Ray although {COLLECTOR_DIGEST_VARIABLE} is unset")
        for rule in plan.of_type("aws_ecr_pull_through_cache_rule"):
            problems.append(f"{rule.address}: pull-through cache to {rule.get('upstream_registry_url')} although {COLLECTOR_DIGEST_VARIABLE} is unset")
    return problems


CHECKS = {
    "no_ingress_from_the_internet": no_ingress_from_the_internet,
    "internet_egress_only_https_through_the_firewall": internet_egress_only_https_through_the_firewall,
    "buckets_protected": buckets_protected,
    "storage_encrypted_with_customer_keys": storage_encrypted_with_customer_keys,
    "database_resilient_and_private": database_resilient_and_private,
    "staff_route_internal_only": staff_route_internal_only,
    "every_service_spans_two_zones": every_service_spans_two_zones,
    "containers_hardened": containers_hardened,
    "edge_protected": edge_protected,
    "private_paths": private_paths,
    "detection_and_audit": detection_and_audit,
    "notifications": notifications,
    "backups_daily_and_remote": backups_daily_and_remote,
    "document_bucket_least_privilege": document_bucket_least_privilege,
    "application_backups_remote_region": application_backups_remote_region,
    "application_backups_least_privilege": application_backups_least_privilege,
    "crypto_shredding_survives_versioning": crypto_shredding_survives_versioning,
    "services_send_traces_to_xray": services_send_traces_to_xray,
}
