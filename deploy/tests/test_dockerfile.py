"""Lints deploy/Dockerfile with the rules in dockerfile_rules.py, and proves each rule can fail.

    python3 -m unittest discover -s deploy/tests -p 'test_dockerfile.py'

Every fixture in fixtures/ breaks exactly one rule; the tests check that this rule reports it
and that the other rules do not, so a rule that always passes (or always fails) is caught.
"""

from __future__ import annotations

import unittest
from pathlib import Path

import dockerfile_rules as rules

HERE = Path(__file__).resolve().parent
DOCKERFILE = HERE.parent / "Dockerfile"
FIXTURES = HERE / "fixtures"

# fixture file -> the one rule it breaks
BAD_FIXTURES = {
    "unpinned.Dockerfile": "pinned_base_images",
    "root.Dockerfile": "non_root_user",
    "secrets.Dockerfile": "no_secrets",
    "no_healthcheck.Dockerfile": "healthcheck",
}


class ProjectDockerfile(unittest.TestCase):
    """The image definition that ships."""

    def setUp(self) -> None:
        self.df = rules.load(DOCKERFILE)

    def test_every_rule_holds(self) -> None:
        for name, problems in rules.check(self.df).items():
            with self.subTest(rule=name):
                self.assertEqual(problems, [], f"{name}: {problems}")

    def test_multi_stage_with_small_runtime(self) -> None:
        self.assertGreaterEqual(len(self.df.stages), 2, "build and runtime stages")
        self.assertIn("distroless", self.df.stages[-1].image)

    def test_runtime_runs_the_binary_with_serve_by_default(self) -> None:
        final = {ins.keyword: ins.args for ins in self.df.stages[-1].instructions}
        self.assertEqual(final.get("ENTRYPOINT"), '["/usr/local/bin/assetstatus"]')
        self.assertEqual(final.get("CMD"), '["serve"]')

    def test_healthcheck_uses_the_binary_not_a_shell(self) -> None:
        check = [i for i in self.df.stages[-1].instructions if i.keyword == "HEALTHCHECK"][-1]
        self.assertIn('"/usr/local/bin/assetstatus", "healthcheck"', check.args)

    def test_data_directory_is_the_only_volume(self) -> None:
        volumes = [i.args for i in self.df.stages[-1].instructions if i.keyword == "VOLUME"]
        self.assertEqual(volumes, ['["/var/lib/assetstatus"]'])

    def test_builds_the_locked_release_binary(self) -> None:
        runs = " ".join(i.args for i in self.df.stages[0].instructions if i.keyword == "RUN")
        self.assertIn("cargo build --release --locked -p assetstatus", runs)


class RulesCanFail(unittest.TestCase):
    """Each rule reports its own bad fixture, and only that one."""

    def test_each_fixture_breaks_exactly_its_rule(self) -> None:
        for fixture, broken in BAD_FIXTURES.items():
            results = rules.check(rules.load(FIXTURES / fixture))
            for name, problems in results.items():
                with self.subTest(fixture=fixture, rule=name):
                    if name == broken:
                        self.assertTrue(problems, f"{name} should fail on {fixture}")
                    else:
                        self.assertEqual(problems, [], f"{name} should pass on {fixture}")

    def test_every_rule_has_a_bad_fixture(self) -> None:
        self.assertEqual(set(BAD_FIXTURES.values()), set(rules.RULES))

    def test_secret_findings_name_each_leak(self) -> None:
        problems = rules.no_secrets(rules.load(FIXTURES / "secrets.Dockerfile"))
        text = "\n".join(problems)
        self.assertIn("AWS_SECRET_ACCESS_KEY", text)
        self.assertIn("ASSETSTATUS_DATABASE_URL", text)
        self.assertIn("a URL with a password", text)
        self.assertIn("an AWS access key ID", text)

    def test_unpinned_syntax_directive_fails(self) -> None:
        df = rules.parse("# syntax=docker/dockerfile:1\nFROM scratch\n")
        self.assertTrue(rules.pinned_base_images(df))

    def test_variable_base_image_resolves_from_global_arg(self) -> None:
        pinned = "ARG BASE=alpine:3.20@sha256:" + "a" * 64 + "\nFROM ${BASE}\n"
        floating = "ARG BASE=alpine:3.20\nFROM ${BASE}\n"
        self.assertEqual(rules.pinned_base_images(rules.parse(pinned)), [])
        self.assertTrue(rules.pinned_base_images(rules.parse(floating)))

    def test_numeric_root_and_root_group_forms(self) -> None:
        for user in ("0", "0:0", "root:root"):
            with self.subTest(user=user):
                df = rules.parse(f"FROM scratch\nUSER {user}\n")
                self.assertTrue(rules.non_root_user(df))

    def test_copying_a_key_file_is_a_secret(self) -> None:
        df = rules.parse("FROM scratch\nCOPY config/server.key /etc/app/\n")
        self.assertTrue(rules.no_secrets(df))

    def test_non_secret_names_with_key_inside_pass(self) -> None:
        df = rules.parse("FROM scratch\nENV ASSETSTATUS_MASTER_KEY__PROVIDER=kms ASSETSTATUS_MASTER_KEY__KMS_KEY_ID=alias/x\n")
        self.assertEqual(rules.no_secrets(df), [])


if __name__ == "__main__":
    unittest.main()
