"""Sentry's own event normalization (Relay's Rust code, PyPI sentry-relay; BACKENDS.md §9.2).

Reads one event JSON per line on stdin; writes one line per event: what Relay had to fix or
drop ("errors", and "meta" from "_meta"; both null for an event Sentry takes as it is), and
the normalized event's platform, level and type."""
import json
import sys

from sentry_relay.processing import StoreNormalizer

normalizer = StoreNormalizer(project_id=1)
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        out = normalizer.normalize_event(json.loads(line))
        result = {"errors": out.get("errors"), "meta": out.get("_meta"),
                  "platform": out.get("platform"), "level": out.get("level"), "type": out.get("type")}
    except Exception as e:  # a line that is not an event is a failure, reported as such
        result = {"errors": [{"type": "not_normalizable", "reason": str(e)}], "meta": None}
    print(json.dumps(result), flush=True)
