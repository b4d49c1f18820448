"""Progress lines on stderr (stdout is the functions' log while a benchmark runs)."""

from __future__ import annotations

import sys
import time


def log(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()
