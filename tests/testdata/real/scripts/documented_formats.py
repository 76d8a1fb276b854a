"""Write log lines in the documented default formats of libraries not run here.

Usage: python documented_formats.py OUTDIR   -> OUTDIR/<library>.log
Transcribed from each library's documentation/source (see SOURCES.md), NOT
produced by the library.  Every file holds the same story at the same instants:
  0 info  order received            id A            02:30:00.123456789Z
  1 warn  payment slow              id A            02:30:01.623456789Z
  2 error charge failed (+ stack)   id A            02:30:02.000000000Z (exactly on the second)
  3 info  "retrying <A> later"      id only in text 02:30:02.250Z
  4 info  order received            id A + "0"      02:30:03.750Z
  5 info  order received            café-42         02:30:04.500Z
  6 fatal giving up                 id A            02:30:05.125Z
  (+ library-specific extra lines, documented in SOURCES.md)
on 2026-12-02 (T0 = 02:30:00.123456789Z).  Local zone where a library prints one: Europe/Berlin (+01:00).
"""
import json
import sys
from pathlib import Path

T0_NS = 1796178600_123456789  # 2026-12-02T02:30:00.123456789Z
OFFS = [0, 1_500_000_000, 1_876_543_211, 2_126_543_211, 3_626_543_211, 4_376_543_211, 5_001_543_211]
STACK_GO = "main.(*Handler).charge\n\t/app/orders/handler.go:57\nmain.main\n\t/app/main.go:21\nruntime.main\n\t/usr/local/go/src/runtime/proc.go:272"
JAVA_EXC = "java.lang.IllegalStateException: provider did not answer within 2.0s"
STACK_JAVA = JAVA_EXC + "\n\tat com.shop.payments.Client.charge(Client.java:57)\n\tat com.shop.orders.OrderController.create(OrderController.java:31)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)"
DOTNET_EXC = ("System.TimeoutException: provider did not answer within 2.0s\n   at Shop.Payments.Client.ChargeAsync() in /src/Shop/Payments/Client.cs:line 57\n"
              "   at Shop.Orders.OrderController.Create() in /src/Shop/Orders/OrderController.cs:line 31")


def ns(i): return T0_NS + OFFS[i]


def civil(t_ns, offset_h):
    """(YYYY-MM-DDTHH:MM:SS, nanos, '+01:00'|'Z') for the instant in a fixed offset."""
    import datetime as dt
    s, n = divmod(t_ns, 1_000_000_000)
    d = dt.datetime.fromtimestamp(s, dt.timezone(dt.timedelta(hours=offset_h)))
    return d.strftime("%Y-%m-%dT%H:%M:%S"), n, ("Z" if offset_h == 0 else f"{offset_h:+03d}:00")


def rfc3339nano(t_ns, off):  # Go time.RFC3339Nano: trailing zeros trimmed, no dot if 0
    base, n, z = civil(t_ns, off)
    frac = f"{n:09d}".rstrip("0")
    return base + ("." + frac if frac else "") + z


def iso_offset_ms(t_ns, off):  # java DateTimeFormatter.ISO_OFFSET_DATE_TIME of a millisecond instant
    base, n, z = civil(t_ns // 1_000_000 * 1_000_000, off)
    frac = f"{n:09d}".rstrip("0")
    return base + ("." + frac if frac else "") + z


def dumps(obj, ascii_=False, html=False):
    s = json.dumps(obj, ensure_ascii=ascii_, separators=(",", ":"))
    if html:
        s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return s


def zap():
    A = "req-a1f0c3d2"
    rows = [
        ("info", "orders/handler.go:42", "order received", {"request_id": A, "sku": "TEA"}),
        ("warn", "orders/handler.go:50", "payment slow", {"request_id": A, "elapsed": 1.84}),
        ("error", "orders/handler.go:57", "charge failed", {"request_id": A, "error": "provider did not answer within 2.0s", "stacktrace": STACK_GO}),
        ("info", "orders/handler.go:61", f"retrying {A} later", {}),
        ("info", "orders/handler.go:42", "order received", {"request_id": A + "0"}),
        ("info", "orders/handler.go:42", "order received", {"request_id": "café-42"}),
        ("fatal", "orders/main.go:30", "giving up", {"request_id": A}),
    ]
    out = []
    for i, (lvl, caller, msg, f) in enumerate(rows):
        rec = {"level": lvl, "ts": "@TS@", "caller": caller, "msg": msg}
        st = f.pop("stacktrace", None)
        rec.update(f)
        if st: rec["stacktrace"] = st
        ts = repr(ns(i) / 1e9).removesuffix(".0")  # Go strconv.AppendFloat(f, 'f', -1, 64)
        out.append(dumps(rec).replace('"@TS@"', ts))
    # zap.NewProduction: ts = float64 seconds (EpochTimeEncoder); stacktrace key after the fields
    return out


def zerolog():
    A = "req-b2e1d4c3"
    rows = [("info", {"request_id": A, "sku": "TEA"}, "order received"),
            ("warn", {"request_id": A, "elapsed_ms": 1840}, "payment slow"),
            ("error", {"request_id": A, "error": "provider did not answer within 2.0s"}, "charge failed"),
            ("info", {}, f"retrying {A} later"),
            ("info", {"request_id": A + "0"}, "order received"),
            ("info", {"request_id": "café-42"}, "order received"),
            ("fatal", {"request_id": A}, "giving up")]
    out = []
    for i, (lvl, f, msg) in enumerate(rows):
        base, _, z = civil(ns(i), 1)  # zerolog.TimeFieldFormat = time.RFC3339 (seconds), local zone
        out.append(dumps({"level": lvl, **f, "time": base + z, "message": msg}))
    return out


def logrus():
    A = "req-c3f2e5d4"
    rows = [("info", "order received", {"request_id": A, "sku": "TEA"}),
            ("warning", "payment slow: 1840ms > 1000ms", {"request_id": A}),
            ("error", "charge failed", {"request_id": A, "error": "provider did not answer within 2.0s"}),
            ("info", f"retrying {A} later", {}),
            ("info", "order received", {"request_id": A + "0"}),
            ("info", "order received", {"request_id": "café-42"}),
            ("fatal", "giving up", {"request_id": A})]
    out = []
    for i, (lvl, msg, f) in enumerate(rows):
        base, _, z = civil(ns(i), 1)  # JSONFormatter: time.RFC3339, keys sorted, HTML escaped
        rec = {**f, "level": lvl, "msg": msg, "time": base + z}
        out.append(dumps(dict(sorted(rec.items())), html=True))
    return out


def slog():
    A = "req-d4a3f6e5"
    rows = [("INFO", "order received", {"request_id": A, "sku": "TEA"}),
            ("WARN", "payment slow", {"request_id": A, "elapsed": 1840000000}),
            ("ERROR", "charge failed", {"request_id": A, "err": "provider did not answer within 2.0s"}),
            ("INFO", f"retrying {A} later", {}),
            ("INFO", "order received", {"request_id": A + "0"}),
            ("INFO", "order received", {"request_id": "café-42"}),
            ("ERROR+4", "giving up", {"request_id": A})]
    out = [dumps({"time": rfc3339nano(ns(i), 1), "level": lvl, "msg": msg, **f}) for i, (lvl, msg, f) in enumerate(rows)]
    # WithGroup("req").Info("request completed", "id", ...) and a custom level slog.Level(2)
    out.append(dumps({"time": rfc3339nano(ns(6) + 1_000_000, 1), "level": "INFO+2", "msg": "request completed", "req": {"id": A, "status": 502}}))
    return out


def logstash():
    A = "req-e5b4a7f6"
    rows = [("INFO", 20000, "order received", {"request_id": A}),
            ("WARN", 30000, "payment slow", {"request_id": A}),
            ("ERROR", 40000, "charge failed", {"stack_trace": STACK_JAVA, "request_id": A}),
            ("INFO", 20000, f"retrying {A} later", {}),
            ("INFO", 20000, "order received", {"request_id": A + "0"}),
            ("INFO", 20000, "order received", {"request_id": "café-42"}),
            ("ERROR", 40000, "giving up", {"request_id": A})]
    out = []
    for i, (lvl, lv, msg, f) in enumerate(rows):
        rec = {"@timestamp": iso_offset_ms(ns(i), 1), "@version": "1", "message": msg,
               "logger_name": "com.shop.orders.OrderController", "thread_name": "http-nio-8080-exec-1",
               "level": lvl, "level_value": lv, **f}
        out.append(dumps(rec))
    # Spring/Micrometer MDC keys are camelCase: traceId/spanId
    out.append(dumps({"@timestamp": iso_offset_ms(ns(6) + 1_000_000, 1), "@version": "1", "message": "request completed",
                      "logger_name": "com.shop.orders.OrderController", "thread_name": "http-nio-8080-exec-1", "level": "INFO",
                      "level_value": 20000, "requestId": A, "traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b7"}))
    return out


def log4j2_ecs():
    A = "req-f6c5b8a7"
    rows = [("INFO", "order received", {"request_id": A}, False),
            ("WARN", "payment slow", {"request_id": A}, False),
            ("ERROR", "charge failed", {"request_id": A}, True),
            ("INFO", f"retrying {A} later", {}, False),
            ("INFO", "order received", {"request_id": A + "0"}, False),
            ("INFO", "order received", {"request_id": "café-42"}, False),
            ("FATAL", "giving up", {"request_id": A}, False)]
    out = []
    for i, (lvl, msg, mdc, exc) in enumerate(rows):
        base, n, _ = civil(ns(i), 0)
        rec = {"@timestamp": f"{base}.{n // 1_000_000:03d}Z", "log.level": lvl, "message": msg,
               "process.thread.name": "http-nio-8080-exec-1", "log.logger": "com.shop.orders.OrderController", **mdc}
        if exc:
            rec.update({"error.type": "java.lang.IllegalStateException", "error.message": "provider did not answer within 2.0s",
                        "error.stack_trace": STACK_JAVA})
        out.append(dumps(rec))
    return out


def log4j2_jsonlayout():
    A = "req-a7d6c9b8"
    rows = [("INFO", "order received", {"request_id": A}, False),
            ("WARN", "payment slow", {"request_id": A}, False),
            ("ERROR", "charge failed", {"request_id": A}, True),
            ("INFO", f"retrying {A} later", {}, False),
            ("INFO", "order received", {"request_id": A + "0"}, False),
            ("INFO", "order received", {"request_id": "café-42"}, False),
            ("FATAL", "giving up", {"request_id": A}, False)]
    out = []
    for i, (lvl, msg, ctx, exc) in enumerate(rows):
        s, n = divmod(ns(i) // 1_000_000 * 1_000_000, 1_000_000_000)  # millisecond clock
        rec = {"instant": {"epochSecond": s, "nanoOfSecond": n}, "thread": "main", "level": lvl,
               "loggerName": "com.shop.orders.OrderController", "message": msg}
        if exc:
            rec["thrown"] = {"commonElementCount": 0, "localizedMessage": "provider did not answer within 2.0s",
                             "message": "provider did not answer within 2.0s", "name": "java.lang.IllegalStateException",
                             "extendedStackTrace": [{"class": "com.shop.payments.Client", "method": "charge", "file": "Client.java",
                                                     "line": 57, "exact": False, "location": "classes/", "version": "?"}]}
        rec.update({"endOfBatch": False, "loggerFqcn": "org.apache.logging.log4j.spi.AbstractLogger", "contextMap": ctx,
                    "threadId": 1, "threadPriority": 5})
        out.append(dumps(rec))
    return out


def serilog():
    A = "req-b8e7d0c9"
    ctx = "Shop.Orders.OrderController"
    rows = [({"@mt": "Order {OrderId} received", "OrderId": 1, "RequestId": A}),
            ({"@mt": "Payment slow: {ElapsedMs} ms", "@l": "Warning", "ElapsedMs": 1840, "RequestId": A}),
            ({"@mt": "Charge failed", "@l": "Error", "@x": DOTNET_EXC, "RequestId": A}),
            ({"@mt": f"Retrying {A} later"}),
            ({"@mt": "Order {OrderId} received", "OrderId": 2, "RequestId": A + "0"}),
            ({"@mt": "Order {OrderId} received", "OrderId": 3, "RequestId": "café-42"}),
            ({"@mt": "Giving up", "@l": "Fatal", "RequestId": A})]
    out = []
    for i, r in enumerate(rows):
        base, n, _ = civil(ns(i), 0)
        t = f"{base}.{n // 100:07d}Z"  # DateTime.ToString("O"): 7 fraction digits, UTC
        out.append(dumps({"@t": t, **r, "SourceContext": ctx}))
    base, n, _ = civil(ns(6) + 1_000_000, 0)
    out.append(dumps({"@t": f"{base}.{n // 100:07d}Z", "@mt": "Charged {Amount:0.00}", "@r": ["61.00"], "@tr": "4bf92f3577b34da6a3ce929d0e0e4736",
                      "@sp": "00f067aa0ba902b7", "Amount": 61, "RequestId": A, "SourceContext": ctx}))
    return out


if __name__ == "__main__":
    out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
    for name, fn in [("zap", zap), ("zerolog", zerolog), ("logrus", logrus), ("slog", slog), ("logstash-logback-encoder", logstash),
                     ("log4j2-ecs", log4j2_ecs), ("log4j2-jsonlayout", log4j2_jsonlayout), ("serilog-clef", serilog)]:
        (out / f"{name}.log").write_text("".join(line + "\n" for line in fn()), encoding="utf-8")
