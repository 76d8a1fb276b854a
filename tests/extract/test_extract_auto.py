import pytest

from tracerun.config.spec import AutoParserConfig
from tracerun.extract.auto import (
    AutoExtractor,
    continued_pairs,
    from_config,
    query_pairs,
)

extract = AutoExtractor().extract


def test_timestamp_level_message_and_pairs():
    line = "2026-03-20T14:10:00.120Z ERROR payments: charge failed request_id=req-1 amount=12.50"
    assert extract(line) == {
        "time": "2026-03-20T14:10:00.120Z",
        "level": "ERROR",
        "msg": "payments: charge failed",
        "request_id": "req-1",
        "amount": "12.50",
    }


def test_pure_logfmt_line_gives_its_pairs():
    line = 'time=2026-03-20T14:10:00Z level=info msg="reserved stock" request_id=req-1'
    assert extract(line) == {
        "time": "2026-03-20T14:10:00Z",
        "level": "info",
        "msg": "reserved stock",
        "request_id": "req-1",
    }


def test_json_object_line_is_read_as_json():
    assert extract('{"ts": 1, "ctx": {"id": "a"}}') == {"ts": 1, "ctx": {"id": "a"}}


def test_broken_json_falls_through_to_text_and_keeps_its_pairs():
    assert extract('{"a": 1 request_id=r') == {
        "msg": '{"a": 1',
        "request_id": "r",
        "a": 1,
    }
    assert extract("{main} INFO request_id=r") == {
        "msg": "{main} INFO",
        "request_id": "r",
    }


def test_a_json_line_cut_short_keeps_its_time_ids_and_message():
    # A log driver's line limit (Docker's 16 KiB) cut the object mid-value.
    line = (
        '{"ts":"2026-03-20T14:10:00Z","level":"warn","msg":"cut \\"here\\"",'
        '"ctx":{"request_id":"req-1","n":5,"ok":true},"body":"xxxx'
    )
    assert extract(line) == {
        "msg": 'cut "here"',
        "ts": "2026-03-20T14:10:00Z",
        "level": "warn",
        "request_id": "req-1",
        "n": 5,
        "ok": True,
    }


def test_python_logging_line():
    line = "2026-03-20 14:09:31,264 INFO  [req-976134f7] payments.charge: charge requested order=ord-1 amount=30.70"
    assert extract(line) == {
        "time": "2026-03-20 14:09:31,264",
        "level": "INFO",
        "msg": "[req-976134f7] payments.charge: charge requested",
        "order": "ord-1",
        "amount": "30.70",
    }


def test_pairs_in_the_middle_stay_in_the_message_as_written():
    assert extract('WARN retrying order=o-1 after="2 s" now') == {
        "level": "WARN",
        "order": "o-1",
        "after": "2 s",
        "msg": 'retrying order=o-1 after="2 s" now',
    }


def test_pairs_that_open_or_end_the_text_leave_the_message():
    assert extract("WARN a=1 retrying now b=2 c=3") == {
        "level": "WARN",
        "a": "1",
        "b": "2",
        "c": "3",
        "msg": "retrying now",
    }


@pytest.mark.parametrize(
    ("line", "level", "msg"),
    [
        ("[ERROR] disk full", "ERROR", "disk full"),
        ("error: disk full", "error", "disk full"),
        ("Warning disk almost full", "Warning", "disk almost full"),
        ("[2026-03-20 14:10:00] [warn] slow", "warn", "slow"),
        ("2026-03-20T14:10:00Z CRITICAL", "CRITICAL", None),
        # Serilog's default file sink: `{Timestamp:...zzz} [{Level:u3}] {Message}`
        (
            "2024-01-01 10:00:00.123 +01:00 [INF] Order received",
            "INF",
            "Order received",
        ),
        ("2024-01-01 10:00:00.123 +01:00 [WRN] Slow", "WRN", "Slow"),
        ("2024-01-01 10:00:00.123 +01:00 [FTL] Down", "FTL", "Down"),
    ],
)
def test_level_words(line, level, msg):
    fields = extract(line)
    assert fields["level"] == level
    assert fields.get("msg") == msg


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Information about x", {"msg": "Information about x"}),
        ("info=1 x", {"info": "1", "msg": "x"}),
        ("[INFO x", {"msg": "[INFO x"}),
        ("ERRORS happened", {"msg": "ERRORS happened"}),
    ],
)
def test_words_that_only_start_like_a_level_are_not_levels(line, expected):
    assert extract(line) == expected


def test_msg_pair_wins_over_the_text():
    assert extract('2026-03-20T14:10:00Z starting msg="hello" a=1') == {
        "time": "2026-03-20T14:10:00Z",
        "msg": "hello",
        "a": "1",
    }


def test_message_pair_also_wins():
    assert extract("text here message=hi") == {"message": "hi"}


def test_syslog_and_nginx_and_epoch_timestamps():
    assert extract("Mar 20 14:10:00 host app[12]: started") == {
        "time": "Mar 20 14:10:00",
        "host": "host",
        "app": "app",
        "pid": "12",
        "msg": "started",
    }
    assert extract("[20/Mar/2026:14:10:00 +0000] GET / rid=r") == {
        "time": "20/Mar/2026:14:10:00 +0000",
        "msg": "GET /",
        "rid": "r",
    }
    assert extract("1774015800.5 DEBUG tick") == {
        "time": "1774015800.5",
        "level": "DEBUG",
        "msg": "tick",
    }


def test_pairs_must_start_a_word():
    assert extract("url=http://x/?a=b (rid=r)") == {
        "url": "http://x/?a=b",
        "a": "b",  # a query parameter of the URL
        "msg": "(rid=r)",
    }


def test_plain_text_and_stack_frames_become_the_message():
    assert extract("    at com.shop.Pay.charge(Pay.java:42)") == {
        "msg": "at com.shop.Pay.charge(Pay.java:42)"
    }


@pytest.mark.parametrize("line", ["", "   ", "\t"])
def test_empty_line_gives_none(line):
    assert extract(line) is None


def test_from_config():
    assert isinstance(from_config(AutoParserConfig(type="auto")), AutoExtractor)


# Lines real programs wrote in their default configuration (tests/testdata/real).
@pytest.mark.parametrize(
    ("program", "line", "expected"),
    [
        (
            "nginx 1.22.1 combined + rid=$http_x_request_id",
            '127.0.0.1 - - [02/Dec/2026:02:21:08 +0000] "GET /api/health?rid=order-42x HTTP/1.1" 200 3 "-" "Mozilla/5.0 (compatible; rid=order-42)" rid=-',
            {"client": "127.0.0.1", "user": "-", "time": "02/Dec/2026:02:21:08 +0000", "request": "GET /api/health?rid=order-42x HTTP/1.1", "status": "200", "bytes": "3", "referer": "-", "agent": "Mozilla/5.0 (compatible; rid=order-42)", "method": "GET", "path": "/api/health", "query": "rid=order-42x", "rid": "-"},
        ),
        (
            "nginx 1.22.1 error.log",
            '2026/12/02 02:21:05 [error] 10413#10413: *3 open() "/x" failed, request: "GET /s.png?request_id=req-0d4e5f6a HTTP/1.1", host: "127.0.0.1:18080"',
            {"time": "2026/12/02 02:21:05", "level": "error", "pid": "10413", "tid": "10413", "request_id": "req-0d4e5f6a", "msg": '*3 open() "/x" failed, request: "GET /s.png?request_id=req-0d4e5f6a HTTP/1.1", host: "127.0.0.1:18080"'},
        ),
        (
            "PostgreSQL 15.18 log_line_prefix '%m [%p] '",
            "2026-12-02 03:21:44.463 CET [11011] LOG:  statement: /* request_id=req-a1b2c3d4 */ INSERT INTO orders VALUES (1, 'TEA')",
            {"time": "2026-12-02 03:21:44.463 CET", "pid": "11011", "level": "LOG", "request_id": "req-a1b2c3d4", "msg": "statement: /* request_id=req-a1b2c3d4 */ INSERT INTO orders VALUES (1, 'TEA')"},
        ),
        (
            "gunicorn 27.0.1 error.log",
            "[2026-12-01 21:23:18 -0500] [16193] [ERROR] Error handling request GET /boom?request_id=req-2b3c4d5e",
            {"time": "2026-12-01 21:23:18 -0500", "pid": "16193", "level": "ERROR", "request_id": "req-2b3c4d5e", "msg": "Error handling request GET /boom?request_id=req-2b3c4d5e"},
        ),
        (
            "structlog 26.1.0 ConsoleRenderer",
            "2026-12-02 02:22:19 [warning  ] provider slow                  elapsed_ms=1840 request_id=req-1f2e3d4c",
            {"time": "2026-12-02 02:22:19", "level": "warning", "elapsed_ms": "1840", "request_id": "req-1f2e3d4c", "msg": "provider slow"},
        ),
        (
            "structlog 26.1.0 ConsoleRenderer, FORCE_COLOR=1",
            "\x1b[2m2026-12-02 02:22:19\x1b[0m [\x1b[32m\x1b[1minfo     \x1b[0m] \x1b[1mcharge requested              \x1b[0m \x1b[36mrequest_id\x1b[0m=\x1b[35mreq-1f2e3d4c\x1b[0m",
            {"time": "2026-12-02 02:22:19", "level": "info", "request_id": "req-1f2e3d4c", "msg": "charge requested"},
        ),
        (
            "Python 3.11 logging.basicConfig() default",
            "CRITICAL:root:disk full request_id=req-6a7b8c9d",
            {"level": "CRITICAL", "logger": "root", "request_id": "req-6a7b8c9d", "msg": "disk full"},
        ),
        (
            "rsyslog RFC 3164 with priority",
            "<11>Dec  2 02:21:05 host app[1]: disk full",
            {"level": "err", "time": "Dec  2 02:21:05", "host": "host", "app": "app", "pid": "1", "msg": "disk full"},
        ),
        (
            "Apache 2.4 error log (ErrorLogFormat default)",
            "[Fri Mar 20 14:10:01.223456 2026] [php:error] [pid 4243:tid 140235] [client 10.0.0.1:5678] PHP Warning:  failed request_id=abc123",
            {"time": "Fri Mar 20 14:10:01.223456 2026", "level": "error", "pid": "4243", "tid": "140235", "client": "10.0.0.1:5678", "request_id": "abc123", "msg": "PHP Warning:  failed"},
        ),
        (
            "Redis 7 log",
            "4242:M 20 Mar 2026 14:10:01.789 # Client id=5 name=abc123 closed",
            {"time": "20 Mar 2026 14:10:01.789", "pid": "4242", "role": "M", "level": "warning", "id": "5", "name": "abc123", "msg": "Client id=5 name=abc123 closed"},
        ),
        (
            "Ruby Logger (Rails production.log)",
            "E, [2026-03-20T14:10:02.193000 #4242] ERROR -- : [abc123] charge failed",
            {"time": "2026-03-20T14:10:02.193000", "level": "ERROR", "tags": ["abc123"], "msg": "charge failed"},
        ),
        (
            "Django runserver",
            '[20/Mar/2026 14:10:00] "GET /api/orders?request_id=abc123 HTTP/1.1" 200 1234',
            {"time": "20/Mar/2026 14:10:00", "request_id": "abc123", "msg": '"GET /api/orders?request_id=abc123 HTTP/1.1" 200 1234'},
        ),
        (
            "klog (Kubernetes components)",
            'E0320 14:10:02.193000    4242 controller.go:125] "Reconcile failed" request_id="abc123"',
            {"time": "0320 14:10:02.193000", "level": "error", "pid": "4242", "logger": "controller.go:125", "request_id": "abc123", "msg": '"Reconcile failed"'},
        ),
        (
            "Python logging cookbook format",
            "2026-03-20 14:10:02,193 - orders - ERROR - charge failed request_id=abc123",
            {"time": "2026-03-20 14:10:02,193", "logger": "orders", "level": "ERROR", "request_id": "abc123", "msg": "charge failed"},
        ),
        (
            "AWS ALB access log",
            'http 2026-03-20T14:10:00.123456Z app/lb/50dc 1.2.3.4:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://x:80/a?request_id=abc123 HTTP/1.1" "curl/7.46.0"',
            {"time": "2026-03-20T14:10:00.123456Z", "request_id": "abc123", "msg": 'app/lb/50dc 1.2.3.4:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://x:80/a?request_id=abc123 HTTP/1.1" "curl/7.46.0"'},
        ),
    ],
)  # fmt: skip
def test_real_programs_default_lines(program, line, expected):
    assert extract(line) == expected, program


def test_a_comma_semicolon_or_period_ending_a_bare_value_is_the_sentences():
    fields = extract("2026-03-20T14:10:00Z failed request_id=abc123, user=u1; a=x,y")
    assert (fields["request_id"], fields["user"], fields["a"]) == (
        "abc123",
        "u1",
        "x,y",
    )
    assert extract('request_id="abc123,"')["request_id"] == "abc123,"
    # rsyslog via `logger "done request_id=abc123."`; Redis's `port=6379.`
    fields = extract("done request_id=abc123. next file=app.log. v=1.2.3 ip=10.0.0.1.")
    assert (fields["request_id"], fields["file"], fields["v"], fields["ip"]) == (
        "abc123",
        "app.log",
        "1.2.3",
        "10.0.0.1",
    )


def test_docker_json_file_records_are_read_as_the_line_they_hold():
    text = '{"log":"2026-03-20T14:10:00.5Z WARN slow request_id=a\\n","stream":"stderr","time":"2026-03-20T14:10:00.9Z"}'
    assert extract(text) == {
        "stream": "stderr",
        "time": "2026-03-20T14:10:00.5Z",
        "level": "WARN",
        "request_id": "a",
        "msg": "slow",
    }
    plain = '{"log":"hello\\n","stream":"stdout","time":"2026-03-20T14:10:00.9Z"}'
    assert extract(plain) == {
        "stream": "stdout",
        "time": "2026-03-20T14:10:00.9Z",
        "msg": "hello",
    }
    nested = '{"log":"{\\"ts\\":1,\\"request_id\\":\\"a\\"}\\n","stream":"stdout","time":"x"}'
    assert extract(nested) == {"stream": "stdout", "ts": 1, "request_id": "a"}
    # not an envelope: a record of its own that has a `log` key
    other = '{"log":"x","stream":"s","time":"t","user":"u","n":1}'
    assert extract(other)["log"] == "x"


def test_kubelet_cri_lines_drop_their_stream_and_read_json_inside():
    assert extract("2026-03-20T14:10:00.1Z stdout F done request_id=a") == {
        "time": "2026-03-20T14:10:00.1Z",
        "stream": "stdout",
        "request_id": "a",
        "msg": "done",
    }
    assert extract(
        '2026-03-20T14:10:00.1Z stderr F {"level":"info","request_id":"a"}'
    ) == {
        "time": "2026-03-20T14:10:00.1Z",
        "stream": "stderr",
        "level": "info",
        "request_id": "a",
    }


def test_journald_json_message_pairs_are_fields():
    line = '{"__REALTIME_TIMESTAMP":"1774015800123456","MESSAGE":"ok request_id=a","PRIORITY":"6"}'
    fields = extract(line)
    assert (fields["MESSAGE"], fields["request_id"]) == ("ok request_id=a", "a")


def test_zap_console_json_tail_is_fields():
    line = '2026-03-20T15:10:00.123+0100\tINFO\torders/main.go:42\torder received\t{"request_id": "a", "n": 7}'
    assert extract(line) == {
        "time": "2026-03-20T15:10:00.123+0100",
        "level": "INFO",
        "request_id": "a",
        "n": 7,
        "msg": "orders/main.go:42\torder received",
    }
    assert extract("2026-03-20T15:10:00Z INFO set {x}")["msg"] == "set {x}"


def test_ruby_logger_progname_and_rails_tags():
    line = "I, [2026-03-20T14:10:00.1 #42]  INFO -- shop: [req-1] [u-7] Started GET"
    assert extract(line) == {
        "time": "2026-03-20T14:10:00.1",
        "level": "INFO",
        "logger": "shop",
        "tags": ["req-1", "u-7"],
        "msg": "Started GET",
    }
    # not Ruby's Logger: brackets stay in the message
    assert extract("2026-03-20T14:10:00Z INFO -- : [x] y")["msg"] == "-- : [x] y"


ENVOY = (
    '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations?a=1 HTTP/2" 204 - 154 0 226 100 '
    '"10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" '
    '"tcp://10.0.2.1:80"'
)
ISTIO = (
    '[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 '
    '135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" '
    '"httpbin:8000" "127.0.0.1:80" inbound|8000|| 127.0.0.1:41854 10.44.1.27:80 '
    "10.44.1.23:37652 outbound_.8000_._.httpbin.foo.svc.cluster.local default"
)


def test_envoy_and_istio_default_access_lines_name_the_request_id():
    assert extract(ENVOY) == {
        "time": "2016-04-15T20:17:00.310Z",
        "request": "POST /api/v1/locations?a=1 HTTP/2",
        "method": "POST",
        "path": "/api/v1/locations",
        "status": "204",
        "x-forwarded-for": "10.0.35.28",
        "user-agent": "nsq2http",
        "x-request-id": "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2",
        "authority": "locations",
        "upstream": "tcp://10.0.2.1:80",
        "a": "1",
    }
    istio = extract(ISTIO)
    assert (istio["x-request-id"], istio["authority"], istio["status"]) == (
        "84961386-6d84-929d-98bd-c5aee93b5c88",
        "httpbin:8000",
        "418",
    )
    # too few quoted fields: not Envoy's, read as text
    assert extract('[2026-03-20T14:10:00Z] "x" 200 done')["msg"] == '"x" 200 done'


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (  # logback 1.2's BasicConfigurator, and log4j2's default PatternLayout
            "10:00:00.123 [main] INFO  com.example.App - request_id=abc123 started",
            {"time": "10:00:00.123", "thread": "main", "level": "INFO", "logger": "com.example.App", "request_id": "abc123", "msg": "started"},
        ),
        (  # logback 1.3+: ` -%kvp- `, `--` without key-value pairs
            "10:00:00.123 [http-nio-8080-exec-1] ERROR c.e.Orders -- charge failed",
            {"time": "10:00:00.123", "thread": "http-nio-8080-exec-1", "level": "ERROR", "logger": "c.e.Orders", "msg": "charge failed"},
        ),
        (
            '10:00:00.123 [main] WARN  c.e.Orders -request_id="abc123" n="2"- slow',
            {"time": "10:00:00.123", "thread": "main", "level": "WARN", "logger": "c.e.Orders", "request_id": "abc123", "n": "2", "msg": "slow"},
        ),
        (  # the same layout after a full date
            "2026-03-20 14:10:00.123 [main] DEBUG com.example.App - hello - world",
            {"time": "2026-03-20 14:10:00.123", "thread": "main", "level": "DEBUG", "logger": "com.example.App", "msg": "hello - world"},
        ),
        (  # a `[digits]` is a pid, as before
            "2026-03-20 14:10:00 [123] INFO x - y",
            {"time": "2026-03-20 14:10:00", "pid": "123", "level": "INFO", "msg": "x - y"},
        ),
    ],
)  # fmt: skip
def test_logback_and_log4j2_default_layouts_give_thread_level_and_logger(
    line, expected
):
    assert extract(line) == expected


HAPROXY = (  # HAProxy's documented `option httplog` example, with two captures
    "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 "
    '200 2750 - - ---- 1/1/1/1/0 0/0 {abc123|Mozilla/5.0} {} "GET /index.html HTTP/1.1"'
)


def test_haproxy_http_log_fields_by_their_places():
    assert extract(f"Feb  6 12:14:14 localhost haproxy[14389]: {HAPROXY}") == {
        "time": "06/Feb/2009:12:14:14.655",  # the accept date, not syslog's
        "host": "localhost",
        "app": "haproxy",
        "pid": "14389",
        "client": "10.0.1.2:33317",
        "frontend": "http-in",
        "backend": "static",
        "server": "srv1",
        "timers": "10/0/30/69/109",
        "status": "200",
        "bytes": "2750",
        "termination_state": "----",
        "connections": "1/1/1/1/0",
        "queues": "0/0",
        "captured_request_headers": ["abc123", "Mozilla/5.0"],
        "captured_response_headers": [""],
        "request": "GET /index.html HTTP/1.1",
        "method": "GET",
        "path": "/index.html",
    }


@pytest.mark.parametrize(
    ("line", "captured"),
    [
        (HAPROXY, (["abc123", "Mozilla/5.0"], [""])),
        (HAPROXY.replace(" {} ", " "), (["abc123", "Mozilla/5.0"], None)),
        (HAPROXY.replace(" {abc123|Mozilla/5.0} {} ", " "), (None, None)),
        # a request cut at its length limit has no closing quote
        (HAPROXY.removesuffix(' HTTP/1.1"'), (["abc123", "Mozilla/5.0"], [""])),
    ],
)
def test_haproxy_captures_are_there_only_when_configured(line, captured):
    fields = extract(line)
    assert (
        fields.get("captured_request_headers"),
        fields.get("captured_response_headers"),
    ) == captured
    assert fields["time"] == "06/Feb/2009:12:14:14.655"


def test_haproxy_query_parameters_are_fields_too():
    line = HAPROXY.replace("/index.html", "/api?request_id=req-1&x=2")
    assert (extract(line)["request_id"], extract(line)["query"]) == (
        "req-1",
        "request_id=req-1&x=2",
    )


LAMBDA_ID = "8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (  # the Node.js runtime's console.log
            f"2024-01-01T10:00:00.123Z\t{LAMBDA_ID}\tINFO\torder placed request_id=o-1",
            {"time": "2024-01-01T10:00:00.123Z", "RequestId": LAMBDA_ID, "level": "INFO", "request_id": "o-1", "msg": "order placed"},
        ),
        (  # the platform's timeout, with spaces
            f"2024-01-01T10:00:03.010Z {LAMBDA_ID} Task timed out after 3.00 seconds",
            {"time": "2024-01-01T10:00:03.010Z", "RequestId": LAMBDA_ID, "msg": "Task timed out after 3.00 seconds"},
        ),
        (  # the Python runtime's logging format
            f"[WARNING]\t2024-01-01T10:00:00.123Z\t{LAMBDA_ID}\tstock low",
            {"time": "2024-01-01T10:00:00.123Z", "RequestId": LAMBDA_ID, "level": "WARNING", "msg": "stock low"},
        ),
        (
            f"REPORT RequestId: {LAMBDA_ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\t",
            {"RequestId": LAMBDA_ID, "msg": f"REPORT RequestId: {LAMBDA_ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms"},
        ),
        (  # `sam logs`: the stream name and CloudWatch's time first
            f"2024/01/01/[$LATEST]0a1b2c 2024-01-01T10:00:00.100000 END RequestId: {LAMBDA_ID}",
            {"log_stream": "2024/01/01/[$LATEST]0a1b2c", "time": "2024-01-01T10:00:00.100000", "RequestId": LAMBDA_ID, "msg": f"END RequestId: {LAMBDA_ID}"},
        ),
        (  # `aws logs tail`: the time, then the stream name; the runtime's time wins
            f"2024-01-01T10:00:00.124000+00:00 2024/01/01/[7]0a1b2c 2024-01-01T10:00:00.123Z\t{LAMBDA_ID}\tERROR\tboom",
            {"time": "2024-01-01T10:00:00.123Z", "log_stream": "2024/01/01/[7]0a1b2c", "RequestId": LAMBDA_ID, "level": "ERROR", "msg": "boom"},
        ),
        (  # a stream name alone is not a CloudWatch event: text as before
            "2024/01/01/[x]y later",
            {"msg": "2024/01/01/[x]y later"},
        ),
        (  # a UUID after a time, with spaces: Lambda's only for its timeout
            f"2024-01-01T10:00:03.010Z {LAMBDA_ID} logged in",
            {"time": "2024-01-01T10:00:03.010Z", "msg": f"{LAMBDA_ID} logged in"},
        ),
        (  # not a request id by Lambda's shape: the line is read as any other
            "2024-01-01T10:00:00.123Z\tabc123\tINFO\tx",
            {"time": "2024-01-01T10:00:00.123Z", "msg": "abc123\tINFO\tx"},
        ),
    ],
)  # fmt: skip
def test_aws_lambda_lines_name_their_request_id(line, expected):
    assert extract(line) == expected


@pytest.mark.parametrize(
    ("line", "header"),
    [
        ("Mar 20 14:10:00 web-1 kernel: eth0 up", ("web-1", "kernel", None)),
        (  # rsyslog's default file format on Debian
            "2026-03-20T15:10:00.123456+01:00 web-1 orders[42]: ok",
            ("web-1", "orders", "42"),
        ),
        ("<134>Mar 20 14:10:00 lb haproxy[7]: 10.0.0.1:5 x", ("lb", "haproxy", "7")),
        # not syslog: a level word, or no [pid] after an ISO time
        ("2026-03-20 14:10:00 INFO orders[42]: ok", None),
        ("2026-03-20 14:10:00 shop main: ok", None),
    ],
)
def test_syslog_host_app_and_pid_are_fields(line, header):
    fields = extract(line)
    found = (fields.get("host"), fields.get("app"), fields.get("pid"))
    if header is None:
        assert found == (None, None, fields.get("pid"))
    else:
        assert found == header
        assert fields["msg"] == line.rpartition(": ")[2]


def test_rust_tracing_span_fields_are_fields():
    # tracing-subscriber's default `fmt` format: the spans the event is in, each
    # with its fields in braces, before the target; strings are Debug-quoted.
    line = (
        '2024-01-01T10:00:01.000000Z  WARN req{id=1}:request{request_id="abc 123" '
        "method=GET}: shop::api: slow elapsed_ms=12"
    )
    assert extract(line) == {
        "time": "2024-01-01T10:00:01.000000Z",
        "level": "WARN",
        "elapsed_ms": "12",
        "id": "1",
        "request_id": "abc 123",
        "method": "GET",
        "msg": 'req{id=1}:request{request_id="abc 123" method=GET}: shop::api: slow',
    }
    # with colour on (a terminal, or `with_ansi(true)` into a file)
    coloured = (
        "\x1b[2m2024-01-01T10:00:01.000000Z\x1b[0m \x1b[33m WARN\x1b[0m "
        "\x1b[1mrequest\x1b[0m\x1b[1m{\x1b[0m\x1b[3mrequest_id\x1b[0m\x1b[2m=\x1b[0m"
        "abc123\x1b[1m}\x1b[0m\x1b[2m:\x1b[0m \x1b[2mshop\x1b[0m\x1b[2m:\x1b[0m slow"
    )
    assert extract(coloured)["request_id"] == "abc123"
    # braces that are not a span (no `:` after them, or after `=`) stay text
    assert "request_id" not in extract("2024-01-01T10:00:01Z INFO got {request_id=a}")
    assert extract("2024-01-01T10:00:01Z INFO ctx={a=b}: x")["ctx"] == "{a=b}:"


def test_monolog_line_format_channel_level_and_its_context_and_extra():
    # Monolog's LineFormatter (Laravel's and Symfony's default):
    # `[%datetime%] %channel%.%level_name%: %message% %context% %extra%`
    line = '[2024-01-01 10:00:00] production.ERROR: Order failed {"request_id":"a","n":5} []'
    assert extract(line) == {
        "time": "2024-01-01 10:00:00",
        "logger": "production",
        "level": "ERROR",
        "request_id": "a",
        "n": 5,
        "msg": "Order failed",
    }
    line = '[2024-01-01T10:00:00.5+00:00] app.INFO: ok {"request_id":"a"} {"request_id":"x","mem":2}'
    assert extract(line) == {
        "time": "2024-01-01T10:00:00.5+00:00",
        "logger": "app",
        "level": "INFO",
        "request_id": "a",
        "mem": 2,
        "msg": "ok",
    }
    assert extract('[2024-01-01 10:00:00] app.INFO: ok [] {"uid":7}')["uid"] == 7
    # not a tail: text after the object, or an object cut short
    assert "a" not in extract('2024-01-01T10:00:00Z INFO x {"a":1} y')
    assert "a" not in extract('2024-01-01T10:00:00Z INFO x {"a":[1} []')


def test_dotnet_console_logger_level_word():
    # Microsoft.Extensions.Logging's console formatter: `level: Category[EventId]`
    assert extract("fail: Shop.Orders.Api[0]") == {
        "level": "fail",
        "msg": "Shop.Orders.Api[0]",
    }
    assert extract("2024-01-01 10:00:05 crit: Shop[7] disk full request_id=a") == {
        "time": "2024-01-01 10:00:05",
        "level": "crit",
        "request_id": "a",
        "msg": "Shop[7] disk full",
    }
    assert extract("fail: not a category")["msg"] == "fail: not a category"


def test_pairs_keep_the_order_the_line_writes_them_in():
    # Heroku's router: text output showed `protocol=https … at=info`, reversed
    line = (
        "2024-01-01T10:00:00.000000+00:00 heroku[router]: at=info method=GET "
        'path="/" request_id=abc fwd="1.2.3.4" status=200 status=201'
    )
    fields = extract(line)
    assert list(fields) == [
        "time",
        "at",
        "method",
        "path",
        "request_id",
        "fwd",
        "status",
        "msg",
    ]
    assert fields["status"] == "201"  # a key written twice: the last


UWSGI = (
    "[pid: 12|app: 0|req: 3/7] 10.0.0.1 () {34 vars in 612 bytes} "
    "[Mon Jan  1 10:00:00 2024] GET /orders?request_id=abc&x=1 => generated 2 bytes "
    "in 1 msecs (HTTP/1.1 200) 2 headers in 79 bytes (1 switches on core 0)"
)


def test_uwsgi_request_log_line_is_read_as_an_access_log():
    assert extract(UWSGI) == {
        "pid": "12",
        "client": "10.0.0.1",
        "time": "Mon Jan  1 10:00:00 2024",
        "request": "GET /orders?request_id=abc&x=1",
        "bytes": "2",
        "status": "200",
        "method": "GET",
        "path": "/orders",
        "query": "request_id=abc&x=1",
        "request_id": "abc",
        "x": "1",
    }


@pytest.mark.parametrize(
    ("after_time", "level", "logger", "msg"),
    [
        ("| SUCCESS  | __main__:<module>:18 - paid", "SUCCESS", "__main__", "paid"),
        ("| AUDIT    | shop.orders:charge:42 - a | b - c", "AUDIT", "shop.orders", "a | b - c"),
        ("| INFO | started", None, None, "| INFO | started"),  # not loguru's
    ],
)  # fmt: skip
def test_loguru_default_format_gives_level_and_logger(after_time, level, logger, msg):
    found = extract(f"2026-12-03 13:46:52.902 {after_time} request_id=abc123")
    assert found == {
        "time": "2026-12-03 13:46:52.902",
        **({} if level is None else {"level": level, "logger": logger}),
        "request_id": "abc123",
        "msg": msg,
    }


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("4242:M 20 Mar 2026 14:10:01.789 . DB 0: 1 keys", "debug"),
        ("4242:M 20 Mar 2026 14:10:01.789 - Accepted 127.0.0.1:44112", "debug"),
        ("4242:S 20 Mar 2026 14:10:01.789 * MASTER <-> REPLICA sync started", "notice"),
        ("4242:X 20 Mar 2026 14:10:01.789 # +sdown master mymaster", "warning"),
        ("4242:C 20 Mar 2026 14:10:01.789 * DB saved on disk", "notice"),
    ],
)
def test_redis_level_characters(line, level):
    found = extract(line)
    assert (found["level"], found["pid"], found["role"]) == (level, "4242", line[5])
    assert found["msg"] == line[34:]


def test_a_level_character_after_another_writers_time_is_message_text():
    assert extract("20 Mar 2026 14:10:01.789 * starred") == {
        "time": "20 Mar 2026 14:10:01.789",
        "msg": "* starred",
    }


def test_flasks_default_handler_names_the_module_as_the_logger():
    line = "[2026-12-03 13:53:08,803] WARNING in flask_app: order received request_id=a"
    found = extract(line)
    assert [found.pop(k) for k in ("time", "level", "logger")] == [
        "2026-12-03 13:53:08,803",
        "WARNING",
        "flask_app",
    ]
    assert found == {"request_id": "a", "msg": "order received"}
    # without the brackets, `in x:` is the message's
    assert extract("2026-12-03 13:53:08,803 ERROR in payment: declined")["msg"] == (
        "in payment: declined"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (  # MariaDB 10.11.19, its error log (tests/testdata/real/mariadb)
            "2026-12-03 12:05:45 0 [Warning] You need to use --log-bin",
            ("2026-12-03 12:05:45", "0", "Warning", None, None, "You need to use --log-bin"),
        ),
        (
            "2026-03-20 14:10:00 12 [ERROR] mariadbd: Table 'x' is marked as crashed",
            ("2026-03-20 14:10:00", "12", "ERROR", None, None, "mariadbd: Table 'x' is marked as crashed"),
        ),
        (  # MySQL 8.0's, as its manual shows it (log_error_services default)
            "2026-12-03T13:31:37.123456Z 0 [System] [MY-010116] [Server] mysqld starting",
            ("2026-12-03T13:31:37.123456Z", "0", "System", "MY-010116", "Server", "mysqld starting"),
        ),
    ],
)  # fmt: skip
def test_mariadb_and_mysql_error_log_thread_level_and_code(line, expected):
    found = extract(line)
    keys = ("time", "tid", "level", "code", "logger", "msg")
    assert tuple(found.get(key) for key in keys) == expected


def test_kubectl_prefix_gives_pod_and_container_and_the_lines_own_fields():
    pod = {"pod": "web-1", "container": "app"}
    assert extract('[pod/web-1/app] 2026-12-03T13:31:37Z {"ts": 1, "msg": "a"}') == {
        **pod,
        "ts": 1,
        "msg": "a",
    }
    assert extract("[pod/web-1/app] 2026-12-03T13:31:37.5Z plain print k=v") == {
        **pod,
        "time": "2026-12-03T13:31:37.5Z",
        "k": "v",
        "msg": "plain print",
    }
    assert extract("[pod/web-1/app] x") == {**pod, "msg": "x"}
    assert extract("[pod/web-1] x") == {"msg": "[pod/web-1] x"}


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("Internal Server Error: /boom", "error"),
        ("Service Unavailable: /api/pay", "error"),
        ("Not Found: /missing", "warning"),
        ("Bad Request: /api/orders", "warning"),
    ],
)
def test_djangos_request_messages_are_errors_and_warnings(line, level):
    assert extract(line) == {"level": level, "msg": line}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('    request_id: "abc123"', [("request_id", "abc123")]),  # pino-pretty
        ('    \x1b[35mrequest_id\x1b[39m: "abc123"', [("request_id", "abc123")]),
        ('    msg: "a \\"quoted\\" word"', [("msg", 'a "quoted" word')]),
        ("    elapsed_ms: 1840", []),  # not a string: never an id
        ('    "stack":', []),
        ("\tat x request_id=abc", [("request_id", "abc")]),  # key=value, as before
        ('request_id: "abc"', []),  # not indented: not a field line
    ],
)
def test_a_continuation_lines_pairs(line, expected):
    assert list(continued_pairs(line)) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (  # pino-pretty 13.2, its default format; with a name and a host
            "[14:20:21.143] INFO (20715): order received",
            {"time": "14:20:21.143", "level": "INFO", "pid": "20715", "msg": "order received"},
        ),
        (
            "[14:20:21.143] WARN (shop/20715 on vm): slow",
            {"time": "14:20:21.143", "level": "WARN", "logger": "shop", "pid": "20715", "host": "vm", "msg": "slow"},
        ),
        (  # bunyan 2.0.5's CLI, long and short
            '[2026-12-03T14:20:22.534Z]  WARN: shop/20757 on vm: payment slow (request_id=abc123, note="a, b")',
            {"time": "2026-12-03T14:20:22.534Z", "level": "WARN", "logger": "shop", "pid": "20757", "host": "vm", "request_id": "abc123", "note": "a, b", "msg": "payment slow"},
        ),
        (
            "14:20:22.533Z  INFO shop: order received (request_id=abc123)",
            {"time": "14:20:22.533Z", "level": "INFO", "request_id": "abc123", "msg": "shop: order received"},
        ),
        (  # parentheses that are not bunyan's fields stay in the message
            "2026-01-01T00:00:00Z INFO failed (see docs)",
            {"time": "2026-01-01T00:00:00Z", "level": "INFO", "msg": "failed (see docs)"},
        ),
    ],
)  # fmt: skip
def test_pino_pretty_and_bunyan_cli_first_lines(line, expected):
    assert extract(line) == expected


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("invalid URI path (/../etc?request_id=abc123)", [("request_id", "abc123")]),
        ("GET /a?q=f(x) done", [("q", "f(x)")]),  # parentheses of the value's own
        ("GET /a?q=x) done", [("q", "x)")]),
    ],
)
def test_a_url_in_parentheses_ends_before_the_closing_one(text, pairs):
    assert list(query_pairs(text)) == pairs
