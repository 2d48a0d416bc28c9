#!/usr/bin/env python3
"""A fake Vault for strata app's tests (a test double, not Vault): one AppRole, web-role with
secret_id right-secret-id, whose token may read the KV v2 secret secret/apps/web. Serves on a free
loopback port and writes the port to the file named by its argument."""
import http.server
import json
import sys


class FakeVault(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if self.path == "/v1/auth/approle/login" and body == {"role_id": "web-role", "secret_id": "right-secret-id"}:
            return self.reply(200, {"auth": {"client_token": "s.fake-token", "lease_duration": 60}})
        self.reply(400, {"errors": ["invalid role or secret ID"]})

    def do_GET(self):
        if self.path == "/v1/secret/data/apps/web" and self.headers.get("X-Vault-Token") == "s.fake-token":
            return self.reply(200, {"data": {"data": {"NPM_TOKEN": "npm-from-vault", "EXTRA": "from-vault"},
                                             "metadata": {"version": 3}}})
        self.reply(403, {"errors": ["permission denied"]})


server = http.server.HTTPServer(("127.0.0.1", 0), FakeVault)
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_port))
server.serve_forever()
