# The app: answers GET / with $GREETING and how long its API token is (never the token itself),
# on 127.0.0.1:$PORT.
import http.server
import os


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = "%s (token: %d chars)\n" % (os.environ.get("GREETING", "hello"),
                                           len(os.environ.get("API_TOKEN", "")))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body.encode())


http.server.HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8080"))), Hello).serve_forever()
