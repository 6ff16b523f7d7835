#!/usr/bin/env python3
"""A Lambda extension that subscribes to the Telemetry API, written with Python's standard
library only, as the AWS docs' samples do ("Lambda Telemetry API", aws-samples
aws-lambda-extensions python-example-telemetry-api-extension): it registers for SHUTDOWN,
listens for batches on a loopback HTTP port, subscribes to the platform, function and
extension streams, and on SHUTDOWN writes every record it received, as one JSON array, to the
file named by TELEMETRY_OUT. With TELEMETRY_BODY set, it subscribes with that body instead
(the destination port in it is then ignored) and records the answer in TELEMETRY_OUT.answer.
"""
import http.server
import json
import os
import sys
import threading
import urllib.error
import urllib.request

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
OUT = os.environ["TELEMETRY_OUT"]
NAME = os.path.basename(__file__)
records = []
lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        batch = json.loads(self.rfile.read(length))
        with lock:
            records.extend(batch)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(method, path, body=None, headers=None):
    request = urllib.request.Request("http://" + API + path, data=body, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def write_atomically(path, text):
    with open(path + ".tmp", "w") as out:
        out.write(text)
    os.rename(path + ".tmp", path)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]

status, headers, _ = call("POST", "/2020-01-01/extension/register",
                          json.dumps({"events": ["SHUTDOWN"]}).encode(),
                          {"Lambda-Extension-Name": NAME})
if status != 200:
    sys.exit("register failed: %d" % status)
identifier = headers["Lambda-Extension-Identifier"]

subscription = os.environ.get("TELEMETRY_BODY") or json.dumps({
    "schemaVersion": "2022-12-13",
    "types": ["platform", "function", "extension"],
    "buffering": {"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 25},
    "destination": {"protocol": "HTTP", "URI": "http://sandbox.localdomain:%d/telemetry" % port},
})
status, _, body = call("PUT", "/2022-07-01/telemetry", subscription.encode(),
                       {"Lambda-Extension-Identifier": identifier,
                        "Content-Type": "application/json"})
write_atomically(OUT + ".answer", json.dumps({"status": status, "body": body.decode()}))
print("telemetry subscriber: subscribed, answer %d" % status, flush=True)

while True:
    status, _, body = call("GET", "/2020-01-01/extension/event/next", None,
                           {"Lambda-Extension-Identifier": identifier})
    event = json.loads(body)
    if event.get("eventType") == "SHUTDOWN":
        with lock:
            write_atomically(OUT, json.dumps(records))
        sys.exit(0)
