"""Every endpoint of a real node, at the v1 and v2 paths, and its errors."""

from __future__ import annotations

import re

import pytest

from tests.server.nodes import DESCRIPTION_SUBMIT_BODY, V1, NodeProcess, batch_job

ENDED = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
METRIC_KEYS = {
    "SourceReceivedCount",
    "SinkWriteCount",
    "SourceReceivedBytes",
    "SinkWriteBytes",
    "SourceReceivedQPS",
    "SinkWriteQPS",
    "SourceReceivedBytesPerSeconds",
    "SinkWriteBytesPerSeconds",
    "TableSourceReceivedCount",
    "TableSinkWriteCount",
    "TableSourceReceivedBytes",
    "TableSinkWriteBytes",
    "TableSourceReceivedQPS",
    "TableSinkWriteQPS",
    "TableSourceReceivedBytesPerSeconds",
    "TableSinkWriteBytesPerSeconds",
}
MONITORING_KEYS = [
    "processors",
    "physical.memory.total",
    "physical.memory.free",
    "swap.space.total",
    "swap.space.free",
    "heap.memory.used",
    "heap.memory.free",
    "heap.memory.total",
    "heap.memory.max",
    "heap.memory.used/total",
    "heap.memory.used/max",
    "minor.gc.count",
    "minor.gc.time",
    "major.gc.count",
    "major.gc.time",
    "load.process",
    "load.system",
    "load.systemAverage",
    "thread.count",
    "thread.peakCount",
    "cluster.timeDiff",
    "event.q.size",
    "executor.q.async.size",
    "executor.q.client.size",
    "executor.q.client.query.size",
    "executor.q.client.blocking.size",
    "executor.q.query.size",
    "executor.q.scheduled.size",
    "executor.q.io.size",
    "executor.q.system.size",
    "executor.q.operations.size",
    "executor.q.priorityOperation.size",
    "operations.completed.count",
    "executor.q.mapLoad.size",
    "executor.q.mapLoadAllKeys.size",
    "executor.q.cluster.size",
    "executor.q.response.size",
    "operations.running.count",
    "operations.pending.invocations.percentage",
    "operations.pending.invocations.count",
    "proxy.count",
    "clientEndpoint.count",
    "connection.active.count",
    "client.connection.count",
    "connection.count",
]


def assert_json_error(reply, status: int) -> str:
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json
    assert body["status"] == "fail"
    assert isinstance(body["message"], str)
    assert body["message"] not in ("", "null")
    assert "Traceback" not in body["message"]
    return body["message"]


def known_job_ids(node: NodeProcess) -> set[str]:
    """Return the ids of every job the node lists; running first, so no ending job is missed."""
    running = {job["jobId"] for job in node.get(f"{V1}/running-jobs").json}
    ended = {job["jobId"] for job in node.get(f"{V1}/finished-jobs").json}
    return running | ended


def test_description_example_job_finishes(shared_node: NodeProcess) -> None:
    reply = shared_node.post(f"{V1}/submit-job?jobName=rest_api_test", DESCRIPTION_SUBMIT_BODY)

    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    assert set(reply.json) == {"jobId", "jobName"}
    assert isinstance(reply.json["jobId"], int)
    assert reply.json["jobName"] == "rest_api_test"
    job_id = reply.json["jobId"]
    info = shared_node.wait_for_status(job_id, ENDED)
    assert info["jobStatus"] == "FINISHED"
    assert info["metrics"]["SourceReceivedCount"] == "100"
    finished = shared_node.get(f"{V1}/finished-jobs/FINISHED").json
    assert [item["jobId"] for item in finished].count(str(job_id)) == 1


def test_submit_id_is_a_number_within_javascript_range(shared_node: NodeProcess) -> None:
    job_id = shared_node.submit(batch_job())

    assert isinstance(job_id, int)
    assert 1 <= job_id <= 2**53 - 1


def test_form_content_type_body_is_read(shared_node: NodeProcess) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    reply = shared_node.post(f"{V1}/submit-job", DESCRIPTION_SUBMIT_BODY, headers=headers)

    assert reply.status == 200, reply.body


def test_json_charset_content_type_is_read(shared_node: NodeProcess) -> None:
    headers = {"Content-Type": "application/json; charset=UTF-8"}
    reply = shared_node.post(f"{V1}/submit-job", DESCRIPTION_SUBMIT_BODY, headers=headers)

    assert reply.status == 200, reply.body


def test_job_name_defaults(shared_node: NodeProcess) -> None:
    from_env = shared_node.post(f"{V1}/submit-job", batch_job(**{"job.name": "from_env"}))
    unnamed = shared_node.post(f"{V1}/submit-job", batch_job())
    overridden = shared_node.post(
        f"{V1}/submit-job?jobName=from_query", batch_job(**{"job.name": "from_env"})
    )

    assert from_env.json["jobName"] == "from_env"
    assert unnamed.json["jobName"] == "SeaTunnel_Job"
    assert overridden.json["jobName"] == "from_query"


def test_chinese_job_name_round_trips(shared_node: NodeProcess) -> None:
    query = "?jobName=%E6%B5%8B%E8%AF%95%E4%BD%9C%E4%B8%9A"
    from_query = shared_node.post(f"{V1}/submit-job{query}", batch_job())
    from_env = shared_node.post(f"{V1}/submit-job", batch_job(**{"job.name": "测试"}))

    assert from_query.json["jobName"] == "测试作业"
    assert from_env.json["jobName"] == "测试"
    assert shared_node.wait_for_status(from_query.json["jobId"], ENDED)["jobName"] == "测试作业"
    assert shared_node.wait_for_status(from_env.json["jobId"], ENDED)["jobName"] == "测试"
    listed = {
        item["jobId"]: item["jobName"] for item in shared_node.get(f"{V1}/finished-jobs").json
    }
    assert listed[str(from_env.json["jobId"])] == "测试"


def test_hocon_submit(shared_node: NodeProcess) -> None:
    hocon = """
    env { job.mode = "BATCH", job.name = "hocon job" }
    source {
      FakeSource {
        plugin_output = "fake"
        row.num = 7
        schema { fields { id = int } }
      }
    }
    sink { Console { plugin_input = "fake" } }
    """
    reply = shared_node.post(f"{V1}/submit-job?format=hocon", hocon)

    assert reply.status == 200, reply.body
    assert reply.json["jobName"] == "hocon job"
    info = shared_node.wait_for_status(reply.json["jobId"], ENDED)
    assert info["jobStatus"] == "FINISHED"
    assert info["metrics"]["SourceReceivedCount"] == "7"


def test_hocon_body_cannot_read_node_environment(shared_node: NodeProcess) -> None:
    hocon = """
    env { job.mode = "BATCH", job.name = ${HOME} }
    source { FakeSource { plugin_output = "t", schema { fields { id = int } } } }
    sink { Console { plugin_input = "t" } }
    """
    reply = shared_node.post(f"{V1}/submit-job?format=hocon", hocon)

    message = assert_json_error(reply, 400)
    assert "${HOME}" in message


def test_unfilled_quoted_variable_is_400(shared_node: NodeProcess) -> None:
    job = batch_job()
    job["sink"] = [
        {
            "plugin_name": "LocalFile",
            "plugin_input": "fake",
            "path": "out",
            "file_format_type": "${file_format_type}",
        }
    ]
    before = shared_node.get(f"{V1}/running-jobs").json

    reply = shared_node.post(f"{V1}/submit-job", job)

    message = assert_json_error(reply, 400)
    assert "$.sink[0].file_format_type" in message
    assert "contains the variable ${file_format_type}, which has no value" in message
    assert "a submitted job takes no variables" in message
    assert "--var" not in message
    assert shared_node.get(f"{V1}/running-jobs").json == before


def test_running_job_object_shape(shared_node: NodeProcess) -> None:
    from tests.server.nodes import streaming_job

    job_id = shared_node.submit(streaming_job(parallelism=1))
    shared_node.wait_for_status(job_id, ("RUNNING",))
    try:
        for path in (f"{V1}/running-jobs", "/running-jobs"):
            listed = [job for job in shared_node.get(path).json if job["jobId"] == str(job_id)]
            assert len(listed) == 1
            job = listed[0]
            assert list(job) == [
                "jobId",
                "jobName",
                "jobStatus",
                "envOptions",
                "createTime",
                "jobDag",
                "pluginJarsUrls",
                "isStartWithSavePoint",
                "metrics",
            ]
            assert job["envOptions"]["parallelism"] == "1"
            assert job["envOptions"]["job.mode"] == "STREAMING"
            assert TIME.match(job["createTime"])
            assert job["isStartWithSavePoint"] is False
            assert job["jobDag"]["jobId"] == str(job_id)
            assert set(job["jobDag"]) >= {"jobId", "pipelineEdges", "envOptions", "vertexInfoMap"}
            vertex = job["jobDag"]["vertexInfoMap"][0]
            assert set(vertex) >= {"vertexId", "type", "vertexName", "tablePaths"}
            assert isinstance(vertex["vertexId"], int)
            assert set(job["metrics"]) == METRIC_KEYS
        info = shared_node.job_info(job_id)
        assert "envOptions" in info
        assert "pluginJarsUrls" in info
        assert "isStartWithSavePoint" in info
        assert "finishTime" not in info
        assert "errorMsg" not in info
    finally:
        shared_node.post(f"{V1}/stop-job", {"jobId": job_id})
    shared_node.wait_for_status(job_id, ENDED)


def test_ended_job_info_shape(shared_node: NodeProcess) -> None:
    job_id = shared_node.submit(batch_job())
    shared_node.wait_for_status(job_id, ENDED)

    for path in (f"{V1}/job-info/{job_id}", f"{V1}/running-job/{job_id}", f"/job-info/{job_id}"):
        info = shared_node.get(path).json
        assert info["jobId"] == str(job_id)
        for key in ("jobName", "jobStatus", "createTime", "jobDag", "metrics", "errorMsg"):
            assert key in info
        assert TIME.match(info["finishTime"])
        assert info["finishedTime"] == info["finishTime"]
        assert info["errorMsg"] is None
        assert "envOptions" not in info
        assert "isStartWithSavePoint" not in info


def test_finished_job_item_keys(shared_node: NodeProcess) -> None:
    job_id = shared_node.submit(batch_job())
    shared_node.wait_for_status(job_id, ENDED)

    items = [
        item for item in shared_node.get("/finished-jobs").json if item["jobId"] == str(job_id)
    ]
    assert len(items) == 1
    assert list(items[0]) == [
        "jobId",
        "jobName",
        "jobStatus",
        "errorMsg",
        "createTime",
        "finishTime",
        "jobDag",
        "pluginJarsUrls",
        "metrics",
    ]
    assert items[0]["pluginJarsUrls"] == []
    assert all(
        isinstance(value, str)
        for value in items[0]["metrics"].values()
        if not isinstance(value, dict)
    )


def test_finished_jobs_state_is_case_insensitive(shared_node: NodeProcess) -> None:
    job_id = shared_node.submit(batch_job())
    shared_node.wait_for_status(job_id, ENDED)

    upper = shared_node.get(f"{V1}/finished-jobs/FINISHED").json
    lower = shared_node.get(f"{V1}/finished-jobs/finished").json
    assert upper == lower
    assert str(job_id) in [item["jobId"] for item in upper]
    assert shared_node.get(f"{V1}/finished-jobs/UNKNOWABLE").json == []


def test_finished_jobs_oldest_first(shared_node: NodeProcess) -> None:
    first = shared_node.submit(batch_job())
    shared_node.wait_for_status(first, ENDED)
    second = shared_node.submit(batch_job())
    shared_node.wait_for_status(second, ENDED)

    listed = [item["jobId"] for item in shared_node.get(f"{V1}/finished-jobs").json]
    assert listed.index(str(first)) < listed.index(str(second))


def test_unknown_finished_state_is_400(shared_node: NodeProcess) -> None:
    for state in ("foo", "RUNNING", "finishd"):
        message = assert_json_error(shared_node.get(f"{V1}/finished-jobs/{state}"), 400)
        assert state in message
        assert "SAVEPOINT_DONE" in message


def test_unknown_job_echoes_id(shared_node: NodeProcess) -> None:
    for path in (f"{V1}/job-info/123", "/job-info/123", f"{V1}/running-job/123"):
        reply = shared_node.get(path)
        assert reply.status == 200
        assert reply.json == {"jobId": "123"}
    assert shared_node.get(f"{V1}/job-info/0123").json == {"jobId": "0123"}
    assert shared_node.get(f"{V1}/job-info/99999999999999999999").json == {
        "jobId": "99999999999999999999"
    }


def test_non_numeric_job_id_is_400(shared_node: NodeProcess) -> None:
    message = assert_json_error(shared_node.get(f"{V1}/job-info/abc"), 400)
    assert "'abc'" in message
    assert_json_error(shared_node.get("/job-info/"), 400)
    assert_json_error(shared_node.get(f"{V1}/job-info"), 400)


def test_system_monitoring_information(shared_node: NodeProcess) -> None:
    for path in (f"{V1}/system-monitoring-information", "/system-monitoring-information"):
        nodes = shared_node.get(path).json
        assert len(nodes) == 1
        figures = nodes[0]
        assert figures["isMaster"] == "true"
        assert figures["host"] == "127.0.0.1"
        assert figures["port"] == str(shared_node.port)
        for key in MONITORING_KEYS:
            assert isinstance(figures[key], str), key
        assert re.match(r"^\d+(\.\d)?[KMGTPE]?$", figures["physical.memory.total"])
        assert re.match(r"^\d+\.\d\d%$", figures["heap.memory.used/max"])
        assert re.match(r"^\d+ms$", figures["minor.gc.time"])
        assert figures["processors"].isdigit()


def test_overview(shared_node: NodeProcess) -> None:
    overview = shared_node.get(f"{V1}/overview").json

    assert list(overview) == [
        "projectVersion",
        "gitCommitAbbrev",
        "totalSlot",
        "unassignedSlot",
        "runningJobs",
        "finishedJobs",
        "failedJobs",
        "cancelledJobs",
        "workers",
    ]
    assert all(isinstance(value, str) for value in overview.values())
    assert overview["workers"] == "1"
    assert shared_node.get("/overview?tag=x").json["workers"] == "0"


def test_encrypt_config_matches_description(shared_node: NodeProcess) -> None:
    body = {
        "env": {"parallelism": 1, "shade.identifier": "base64"},
        "source": [
            {
                "plugin_name": "MySQL-CDC",
                "schema": {"fields": {"name": "string", "age": "int"}},
                "result_table_name": "fake",
                "parallelism": 1,
                "hostname": "127.0.0.1",
                "username": "seatunnel",
                "password": "seatunnel_password",
                "table-name": "inventory_vwyw0n",
            }
        ],
        "transform": [],
        "sink": [
            {
                "plugin_name": "Clickhouse",
                "host": "localhost:8123",
                "database": "default",
                "table": "fake_all",
                "username": "seatunnel",
                "password": "seatunnel_password",
            }
        ],
    }
    reply = shared_node.post(f"{V1}/encrypt-config", body)

    assert reply.status == 200, reply.body
    expected = {**body}
    expected["source"] = [
        {**body["source"][0], "username": "c2VhdHVubmVs", "password": "c2VhdHVubmVsX3Bhc3N3b3Jk"}
    ]
    expected["sink"] = [
        {**body["sink"][0], "username": "c2VhdHVubmVs", "password": "c2VhdHVubmVsX3Bhc3N3b3Jk"}
    ]
    assert reply.json == expected
    assert list(reply.json["source"][0]) == list(body["source"][0])
    assert "not encryption" in reply.headers["X-Stconfig-Warning"]


def test_encrypt_config_errors(shared_node: NodeProcess) -> None:
    without_shade = batch_job()
    unknown_shade = batch_job(**{"shade.identifier": "myprotection"})
    empty_source = {**batch_job(**{"shade.identifier": "base64"}), "source": []}

    assert_json_error(shared_node.post(f"{V1}/encrypt-config", without_shade), 400)
    message = assert_json_error(shared_node.post(f"{V1}/encrypt-config", unknown_shade), 400)
    assert "myprotection" in message
    assert "base64" in message
    assert_json_error(shared_node.post(f"{V1}/encrypt-config", empty_source), 400)


def test_submit_jobs_and_stop_jobs_batches(shared_node: NodeProcess) -> None:
    from tests.server.nodes import streaming_job

    items = [
        {**streaming_job(), "params": {"jobName": "first"}},
        {**streaming_job(), "params": {"jobName": "second"}},
    ]
    reply = shared_node.post(f"{V1}/submit-jobs", items)

    assert reply.status == 200, reply.body
    assert [item["jobName"] for item in reply.json] == ["first", "second"]
    assert all(isinstance(item["jobId"], str) for item in reply.json)
    ids = [int(item["jobId"]) for item in reply.json]
    stopped = shared_node.post(f"{V1}/stop-jobs", [{"jobId": job_id} for job_id in ids])
    assert stopped.status == 200, stopped.body
    assert stopped.json == [{"jobId": job_id} for job_id in ids]
    for job_id in ids:
        assert shared_node.wait_for_status(job_id, ENDED)["jobStatus"] == "CANCELED"


def test_submit_jobs_checks_every_job_first(shared_node: NodeProcess) -> None:
    before = known_job_ids(shared_node)
    items = [batch_job(), {"env": {"job.mode": "BATCH"}, "sink": []}]

    assert_json_error(shared_node.post(f"{V1}/submit-jobs", items), 400)
    assert known_job_ids(shared_node) == before


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", f"{V1}/no-such-endpoint", 404),
        ("GET", "/no-such-endpoint", 404),
        ("GET", "/", 404),
        ("GET", f"{V1}/submit-job", 405),
        ("GET", "/stop-job", 405),
        ("DELETE", f"{V1}/running-jobs", 405),
        ("POST", "/running-jobs", 405),
        ("PUT", "/submit-job", 405),
    ],
)
def test_routing_errors_are_json(
    shared_node: NodeProcess, method: str, path: str, status: int
) -> None:
    assert_json_error(shared_node.request(method, path), status)


UNSERVED_ENDPOINTS = (
    "submit-job/upload",
    "logs",
    "logs/123",
    "log",
    "log/job-123.log",
    "thread-dump",
    "running-threads",
    "update-tags",
    "get-all-log-name",
)


@pytest.mark.parametrize("endpoint", UNSERVED_ENDPOINTS)
@pytest.mark.parametrize("prefix", [V1, ""])
def test_unserved_seatunnel_endpoint_is_named(
    shared_node: NodeProcess, prefix: str, endpoint: str
) -> None:
    path = f"{prefix}/{endpoint}"
    method = "POST" if endpoint in ("submit-job/upload", "update-tags") else "GET"

    message = assert_json_error(shared_node.request(method, path, b"{}"), 404)

    name = endpoint.split("/")[0] if not endpoint.startswith("submit-job") else endpoint
    assert message.startswith(
        f"stconfig's node does not support SeaTunnel's {name} endpoint ({path}); it serves "
    )
    assert "GET running-jobs" in message
    assert "POST encrypt-config" in message


@pytest.mark.parametrize("path", [f"{V1}/no-such-endpoint", "/logsx", "/"])
def test_unknown_path_lists_served_endpoints(shared_node: NodeProcess, path: str) -> None:
    message = assert_json_error(shared_node.get(path), 404)

    assert message.startswith(f"no endpoint at {path}; this node serves these endpoints ")
    assert "GET job-info/<jobId>" in message
    assert "POST submit-job" in message
    assert "does not support" not in message


def test_v1_accepts_put_for_post_endpoints(shared_node: NodeProcess) -> None:
    reply = shared_node.request("PUT", f"{V1}/submit-job", batch_job())

    assert reply.status == 200, reply.body


def test_empty_and_malformed_bodies(shared_node: NodeProcess) -> None:
    for endpoint in ("submit-job", "stop-job", "encrypt-config", "submit-jobs", "stop-jobs"):
        empty = assert_json_error(shared_node.post(f"{V1}/{endpoint}", b""), 400)
        assert empty == "Request body is empty."
        bad = assert_json_error(shared_node.post(f"{V1}/{endpoint}", b'{"env":'), 400)
        assert "Invalid JSON format in request body" in bad or "request body" in bad


def test_submit_parameter_errors(shared_node: NodeProcess) -> None:
    savepoint = shared_node.post(f"{V1}/submit-job?isStartWithSavePoint=true", batch_job())
    bad_id = shared_node.post(f"{V1}/submit-job?jobId=abc", batch_job())
    big_id = shared_node.post(f"{V1}/submit-job?jobId=9007199254740992", batch_job())
    bad_format = shared_node.post(f"{V1}/submit-job?format=yaml", batch_job())
    array = shared_node.post(f"{V1}/submit-job", [batch_job()])

    assert assert_json_error(savepoint, 400) == "Please provide jobId when start with save point."
    assert assert_json_error(bad_id, 400) == (
        "jobId 'abc' is not a number; job ids are whole numbers from 1 to 9007199254740991"
    )
    assert assert_json_error(big_id, 400) == (
        "jobId '9007199254740992' is not a valid job id; job ids are whole numbers from 1 to "
        "9007199254740991"
    )
    assert "yaml" in assert_json_error(bad_format, 400)
    assert_json_error(array, 400)


@pytest.mark.parametrize("value", ["-5", "0", "1.5"])
def test_submit_invalid_job_id_names_range(shared_node: NodeProcess, value: str) -> None:
    before = known_job_ids(shared_node)

    reply = shared_node.post(f"{V1}/submit-job?jobId={value}", batch_job())

    assert assert_json_error(reply, 400) == (
        f"jobId '{value}' is not a valid job id; job ids are whole numbers from 1 to "
        "9007199254740991"
    )
    assert known_job_ids(shared_node) == before


def test_very_long_job_ids_are_4xx(shared_node: NodeProcess) -> None:
    digits = "9" * 5000

    stop = shared_node.post(f"{V1}/stop-job", {"jobId": digits})
    submit = shared_node.post(f"{V1}/submit-job?jobId={digits}", batch_job())
    padded = shared_node.post(f"{V1}/stop-job", {"jobId": "0" * 5000 + "424242"})
    info = shared_node.get(f"{V1}/job-info/{digits}")

    assert "is not a valid job id" in assert_json_error(stop, 400)
    assert "is not a valid job id" in assert_json_error(submit, 400)
    assert len(stop.body) < 300
    assert "424242" in assert_json_error(padded, 404)
    assert info.status == 200
    assert info.json == {"jobId": digits}


def test_invalid_job_lists_findings_and_creates_nothing(shared_node: NodeProcess) -> None:
    before = known_job_ids(shared_node)
    job = {
        "env": {"job.mode": "BATCH"},
        "source": [{"plugin_name": "FakeSource", "row.num": 1}],
        "sink": [{"plugin_name": "Console"}],
    }
    reply = shared_node.post(f"{V1}/submit-job", job)

    message = assert_json_error(reply, 400)
    assert "source[0]" in message
    assert "schema" in message
    errors = reply.json["errors"]
    assert errors
    assert all({"severity", "path", "message"} <= set(error) for error in errors)
    assert known_job_ids(shared_node) == before


def test_custom_job_id_and_conflict(shared_node: NodeProcess) -> None:
    custom = 123456
    first = shared_node.post(f"{V1}/submit-job?jobId={custom}", batch_job())
    assert first.status == 200, first.body
    assert first.json["jobId"] == custom
    assert shared_node.job_info(custom)["jobId"] == str(custom)

    again = shared_node.post(f"{V1}/submit-job?jobId={custom}", batch_job())
    message = assert_json_error(again, 409)
    assert str(custom) in message


def test_resume_without_checkpoint_is_400(shared_node: NodeProcess) -> None:
    reply = shared_node.post(f"{V1}/submit-job?jobId=777&isStartWithSavePoint=true", batch_job())

    message = assert_json_error(reply, 400)
    assert "777" in message


def test_stop_contract(shared_node: NodeProcess) -> None:
    job_id = shared_node.submit(batch_job())
    shared_node.wait_for_status(job_id, ENDED)

    as_string = shared_node.post(f"{V1}/stop-job", {"jobId": str(job_id)})
    as_number = shared_node.post(f"{V1}/stop-job", {"jobId": job_id, "isStopWithSavePoint": False})
    unknown = shared_node.post(f"{V1}/stop-job", {"jobId": 424242})
    missing = shared_node.post(f"{V1}/stop-job", {})
    not_a_number = shared_node.post(f"{V1}/stop-job", {"jobId": "abc"})

    assert as_string.status == 200
    assert as_string.json == {"jobId": job_id}
    assert as_number.json == {"jobId": job_id}
    assert shared_node.job_info(job_id)["jobStatus"] == "FINISHED"
    assert "424242" in assert_json_error(unknown, 404)
    assert assert_json_error(missing, 400) == "jobId cannot be empty."
    assert "abc" in assert_json_error(not_a_number, 400)


def test_plugin_the_node_cannot_run_is_400(shared_node: NodeProcess) -> None:
    before = known_job_ids(shared_node)
    job = {
        "env": {"job.mode": "BATCH"},
        "source": [
            {
                "plugin_name": "FakeSourceStream",
                "plugin_output": "t",
                "schema": {"fields": {"id": "int"}},
            }
        ],
        "sink": [{"plugin_name": "ConsoleSink", "plugin_input": "t"}],
    }

    reply = shared_node.post(f"{V1}/submit-job", job)

    message = assert_json_error(reply, 400)
    assert message.startswith(
        "$.source[0]: this node cannot run the source plugin 'FakeSourceStream'"
    )
    assert 'did you mean "FakeSource"' in message
    assert [error["path"] for error in reply.json["errors"]] == ["$.source[0]", "$.sink[0]"]
    assert 'did you mean "Console"' in reply.json["errors"][1]["message"]
    assert known_job_ids(shared_node) == before


def test_finished_metrics_match_job_info(shared_node: NodeProcess) -> None:
    job_id = shared_node.submit(batch_job(rows=10))
    info = shared_node.wait_for_status(job_id, ENDED)

    listed = [
        item for item in shared_node.get(f"{V1}/finished-jobs").json if item["jobId"] == str(job_id)
    ]

    assert info["metrics"]["SourceReceivedCount"] == "10"
    assert info["metrics"]["SinkWriteCount"] == "10"
    assert listed[0]["metrics"] == info["metrics"]
    assert listed[0]["jobDag"] == info["jobDag"]
