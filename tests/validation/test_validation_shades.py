"""Checks of env."shade.identifier" and of secrets left in plain text."""

from __future__ import annotations

from validation_helpers import brief, check

JOB = """
env {{ job.mode = BATCH, shade.identifier = "{shade}" }}
source {{ FakeSource {{ plugin_output = "t", row.num = 1, schema {{ fields {{ id = int }} }} }} }}
sink {{ Clickhouse {{ plugin_input = "t", host = "127.0.0.1:8123", database = "db", table = "t",
                    username = "{user}", password = "{password}" }} }}
"""


def test_base64_values_pass():
    assert check(JOB.format(shade="base64", user="dXNlcjE=", password="c2VjcmV0LTE=")) == []


def test_base64_plain_text_warning_hides_value():
    findings = check(JOB.format(shade="base64", user="dXNlcjE=", password="secret_1"))
    assert brief(findings) == [
        (
            "warning",
            5,
            "$.sink[0].password",
            'looks like plain text, but env."shade.identifier" is "base64"; encrypt the file with '
            "stconfig encrypt FILE",
        )
    ]
    assert "secret_1" not in str(findings[0])


def test_plain_text_with_aes_is_a_warning():
    findings = check(JOB.format(shade="aes", user="user1", password="secret-1"))
    assert [(f.severity, f.path) for f in findings] == [
        ("warning", "$.sink[0].username"),
        ("warning", "$.sink[0].password"),
    ]


def test_unknown_shade_lists_installed_ones():
    findings = check(JOB.format(shade="myprotection", user="u", password="p"))
    assert brief(findings) == [
        (
            "error",
            2,
            '$.env."shade.identifier"',
            'unknown shade "myprotection"; installed shades: aes, base64. SeaTunnel would leave '
            "the values as they are",
        )
    ]


def test_misspelled_shade_gets_a_suggestion():
    findings = check(JOB.format(shade="base46", user="dXNlcjE=", password="c2VjcmV0LTE="))
    assert findings[0].message.startswith(
        'unknown shade "base46"; installed shades: aes, base64; did you mean "base64"?'
    )


def test_pass_through_shade_is_accepted():
    assert check(JOB.format(shade="default", user="user1", password="secret-1")) == []


def test_shade_in_other_case_warns_about_seatunnel():
    findings = check(JOB.format(shade="BASE64", user="dXNlcjE=", password="c2VjcmV0LTE="))
    assert brief(findings) == [
        (
            "warning",
            2,
            '$.env."shade.identifier"',
            "SeaTunnel matches shade identifiers with case and would not find "
            '"BASE64"; write "base64"',
        )
    ]


def test_shade_options_names_are_checked():
    findings = check(
        """
        env { shade.identifier = base64, shade.options = ["f1"] }
        source { FakeSource { plugin_output = "t", f1 = "plain text",
                              schema { fields { id = int } } } }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert [(f.severity, f.path, f.message[:30]) for f in findings] == [
        ("warning", "$.source[0].f1", 'unknown option "f1" for the Fa'),
        ("warning", "$.source[0].f1", "looks like plain text, but env"),
    ]
