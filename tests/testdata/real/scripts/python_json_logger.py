"""Real python-json-logger output.  Usage: python python_json_logger.py OUTDIR

Writes OUTDIR/default.log   JsonFormatter('%(asctime)s %(levelname)s %(name)s %(message)s')
       OUTDIR/timestamp.log JsonFormatter('{levelname}{name}{message}', style='{', timestamp=True)
       OUTDIR/bare.log      JsonFormatter()   (the quickstart's first example)
"""

import logging
import sys
import time
from pathlib import Path

from pythonjsonlogger.json import JsonFormatter

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
FORMATTERS = {
    "default": JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"),
    "timestamp": JsonFormatter("{levelname}{name}{message}", style="{", timestamp=True),
    "bare": JsonFormatter(),
}
for name, fmt in FORMATTERS.items():
    handler = logging.FileHandler(out / f"{name}.log", encoding="utf-8")
    handler.setFormatter(fmt)
    log = logging.getLogger(f"shop.orders.{name}")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    log.info("order received", extra={"request_id": "req-3c4d5e6f", "user_id": 42})
    time.sleep(0.05)
    log.warning(
        "payment slow", extra={"request_id": "req-3c4d5e6f", "elapsed_ms": 1840}
    )
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("charge failed", extra={"request_id": "req-3c4d5e6f"})
    log.info("retrying req-3c4d5e6f later")  # id only in the text: no field
    log.info("order received", extra={"request_id": "req-3c4d5e6f0"})
    log.info("order received", extra={"request_id": "café-42"})
    log.error("nested context", extra={"ctx": {"request_id": "req-7a8b9c0d"}})
    handler.close()
