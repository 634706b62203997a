"""The README's REST example works as written: curl's form body, then finished-jobs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from tests.server.nodes import V1, NodeProcess

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_curl_commands() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## The REST node", 1)[1]
    block = section.split("In another shell", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [command.strip() for command in re.split(r"\n(?=curl )", block.strip())]


def test_readme_curl_example(node: NodeProcess) -> None:
    submit, listing = readme_curl_commands()
    base = f"http://127.0.0.1:{node.port}"
    body = submit.split("-d '", 1)[1].rsplit("'", 1)[0]
    assert submit.startswith(
        "curl -s -X POST 'http://127.0.0.1:5801/hazelcast/rest/maps/submit-job?"
    )

    if shutil.which("curl"):
        result = subprocess.run(
            [
                "curl",
                "-s",
                "-X",
                "POST",
                f"{base}{V1}/submit-job?jobName=rest_api_test",
                "-d",
                body,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        reply = json.loads(result.stdout)
    else:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        reply = node.post(f"{V1}/submit-job?jobName=rest_api_test", body, headers=headers).json

    assert reply["jobName"] == "rest_api_test"
    node.wait_for_status(reply["jobId"], ("FINISHED",))
    assert listing == "curl -s http://127.0.0.1:5801/hazelcast/rest/maps/finished-jobs/FINISHED"
    finished = node.get(f"{V1}/finished-jobs/FINISHED").json
    assert [item["jobId"] for item in finished] == [str(reply["jobId"])]
    assert finished[0]["metrics"]["SourceReceivedCount"] == "100"
