"""Real structlog output.  Usage: python structlog_logs.py OUTDIR

console.log        structlog's default configuration, stdout not a terminal (no colours)
console-color.log  the same with FORCE_COLOR=1 (what a terminal / `script` capture holds)
json.log           add_log_level, TimeStamper(fmt="iso"), format_exc_info, JSONRenderer()
json-dict.log      the same with dict_tracebacks instead of format_exc_info
"""

import os
import subprocess
import sys
import time
from pathlib import Path

VARIANTS = {
    "console": {},
    "console-color": {"FORCE_COLOR": "1"},
    "json": {},
    "json-dict": {},
}


def emit(variant: str) -> None:
    import structlog

    if variant.startswith("json"):
        exc = (
            structlog.processors.format_exc_info
            if variant == "json"
            else structlog.processors.dict_tracebacks
        )
        structlog.configure(
            processors=[
                structlog.contextvars.merge_contextvars,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso"),
                exc,
                structlog.processors.JSONRenderer(),
            ]
        )
    log = structlog.get_logger("shop.payments").bind(request_id="req-1f2e3d4c")
    log.info("charge requested", amount=61.0)
    time.sleep(1.1)
    log.warning("provider slow", elapsed_ms=1840)
    try:
        raise TimeoutError("provider did not answer within 2.0s")
    except TimeoutError:
        log.exception("charge failed")
    structlog.get_logger().info("retrying req-1f2e3d4c later")  # id only in the text
    structlog.get_logger().info("charge requested", request_id="req-1f2e3d4c0")
    structlog.get_logger().info("charge requested", request_id="café-42")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        emit(sys.argv[2])
        sys.exit()
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for variant, env in VARIANTS.items():
        base = {
            k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")
        }
        with open(out / f"{variant}.log", "wb") as f:
            subprocess.run(
                [sys.executable, __file__, str(out), variant],
                stdout=f,
                env={**base, **env},
                check=True,
            )
