"""Zipkin v2 collector stand-in (../../shared/BACKENDS.md §8): POST /api/v2/spans.
JSON bodies are validated against the official zipkin2-api.yaml (openzipkin/zipkin-api,
Apache-2.0, kept beside this file) with jsonschema's Draft 4 validator and format checker;
proto3 bodies are decoded with py_zipkin's zipkin_pb2 (generated from the official zipkin.proto)
and reported in the JSON shape (hex ids, address text, integer times), so tests compare both encodings.
One JSON line per request on stdout: {"valid", "errors", "spans", "gzip"}.
Answers 202, or 400 with the errors; `--status N` answers N to every request (outage tests).
Usage: python receiver.py zipkin2-api.yaml PORT [--status N]"""
import gzip, json, re, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import jsonschema, yaml

_out = threading.Lock()
def emit(obj):  # one whole line per write: requests are handled on several threads at once
    with _out:
        sys.stdout.write(json.dumps(obj) + "\n"); sys.stdout.flush()

spec = yaml.safe_load(open(sys.argv[1]))
schema = {"$ref": "#/definitions/ListOfSpans", "definitions": spec["definitions"]}
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
forced = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--status" else None

ID_RULES = {"traceId": r"[0-9a-f]{16}|[0-9a-f]{32}", "id": r"[0-9a-f]{16}", "parentId": r"[0-9a-f]{16}"}
def extra_id_errors(spans):  # the spec's patterns are unanchored and allow all-zero ids: check properly
    return ["%d/%s: %r is not a valid non-zero lower-hex id" % (i, k, s[k])
            for i, s in enumerate(spans if isinstance(spans, list) else []) if isinstance(s, dict)
            for k, rx in ID_RULES.items() if k in s and not (isinstance(s[k], str) and re.fullmatch(rx, s[k]) and s[k].strip("0"))]

def as_json_shape(span):  # MessageToDict writes bytes as base64 and 64-bit integers as strings
    import base64, ipaddress
    for k in ("traceId", "id", "parentId"):
        if k in span: span[k] = base64.b64decode(span[k]).hex()
    for k in ("timestamp", "duration"):
        if k in span: span[k] = int(span[k])
    for a in span.get("annotations", []): a["timestamp"] = int(a["timestamp"])
    for e in (span.get(k) for k in ("localEndpoint", "remoteEndpoint")):
        for k in ("ipv4", "ipv6"):
            if e and k in e: e[k] = str(ipaddress.ip_address(base64.b64decode(e[k])))
    return span

class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if forced is not None:
            emit({"refused": forced})
            self.send_response(forced); self.send_header("Retry-After", "0"); self.end_headers(); return
        zipped = self.headers.get("Content-Encoding") == "gzip"
        if zipped: body = gzip.decompress(body)
        ctype = self.headers.get("Content-Type", "")
        if self.path == "/api/v2/spans" and ctype.startswith("application/x-protobuf"):
            from google.protobuf.json_format import MessageToDict
            from py_zipkin.encoding.protobuf import zipkin_pb2
            spans = [as_json_shape(MessageToDict(s)) for s in zipkin_pb2.ListOfSpans.FromString(body).spans]
            emit({"valid": True, "errors": [], "proto": True, "gzip": zipped, "spans": spans})
            self.send_response(202); self.end_headers(); return
        if self.path != "/api/v2/spans" or not ctype.startswith("application/json"):
            self.send_response(404 if self.path != "/api/v2/spans" else 415); self.end_headers(); return
        try: spans = json.loads(body)
        except ValueError as e: errors = ["not JSON: %s" % e]; spans = []
        else: errors = ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message) for e in validator.iter_errors(spans)] + extra_id_errors(spans)
        emit({"valid": not errors, "errors": errors, "gzip": zipped, "spans": spans})
        self.send_response(400 if errors else 202); self.end_headers()
        if errors: self.wfile.write("\n".join(errors).encode())
    def log_message(self, *a): pass

port = int(sys.argv[2])
server = ThreadingHTTPServer(("127.0.0.1", port), H)
emit({"ready": True, "port": server.server_address[1]})
server.serve_forever()
