"""loguru's default format: its file sink (default.log) and its stderr sink
coloured as on a terminal (color.log). Usage: python loguru_logs.py OUTDIR"""

import sys
from pathlib import Path

from loguru import logger

out = Path(sys.argv[1])
logger.remove()
logger.add(out / "default.log")  # the file sink's default format
with (out / "color.log").open("w") as colored:
    logger.add(colored, colorize=True)  # what the default stderr sink writes on a tty
    log = logger.bind(request_id="abc123")
    logger.info("order received request_id=abc123")
    logger.warning("payment slow request_id=abc123")
    log.info("bound only: extra is not in the default format")
    logger.success("paid request_id=abc123")
    logger.debug("cart priced request_id=abc123")
    logger.trace("below the default level request_id=abc123")

    def charge(amount):
        return 1 / amount

    try:
        charge(0)
    except ZeroDivisionError:
        logger.exception("charge failed request_id=abc123")
    logger.critical("disk full request_id=abc123")
    logger.info("other request_id=abc1234")
    logger.remove()
