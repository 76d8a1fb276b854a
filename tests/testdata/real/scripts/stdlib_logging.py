"""Real Python stdlib logging output.  Usage: python stdlib_logging.py OUTDIR

asctime.log  logging.basicConfig(format='%(asctime)s %(levelname)s %(name)s %(message)s', level=INFO)
default.log  logging.basicConfig()  (format '%(levelname)s:%(name)s:%(message)s', level WARNING)
Each variant runs in its own interpreter, since basicConfig configures once.
"""

import logging
import subprocess
import sys
import time
from pathlib import Path


def emit(variant: str, path: str) -> None:
    if variant == "asctime":
        logging.basicConfig(
            filename=path,
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
            level=logging.INFO,
        )
    else:
        logging.basicConfig(filename=path)
    log = logging.getLogger("shop.inventory")
    log.info("reserve stock request_id=%s sku=%s", "req-6a7b8c9d", "TEA-OOLONG")
    time.sleep(0.25)
    log.warning(
        "low stock request_id=%s sku=%s left=%d", "req-6a7b8c9d", "TEA-OOLONG", 2
    )
    try:
        {}["MUG"]
    except KeyError:
        log.exception("reservation failed request_id=%s", "req-6a7b8c9d")
    log.error("retrying req-6a7b8c9d later")  # id only as a bare word
    log.warning("reserve stock request_id=%s", "req-6a7b8c9d0")
    log.warning("reserve stock request_id=%s", "café-42")
    logging.getLogger().critical("disk full request_id=%s", "req-6a7b8c9d")


if __name__ == "__main__":
    if len(sys.argv) == 4:
        emit(sys.argv[2], sys.argv[3])
        sys.exit()
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for variant in ("asctime", "default"):
        subprocess.run(
            [sys.executable, __file__, str(out), variant, str(out / f"{variant}.log")],
            check=True,
        )
