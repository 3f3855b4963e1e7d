"""A webhook receiver in Python: verify each delivery with the Standard Webhooks library, drop
duplicates by webhook-id (delivery is at least once), answer 2xx at once and work later.
WEBHOOK_SECRET=whsec_... PORT=8788 python receiver.py"""

import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

webhook = Webhook(os.environ["WEBHOOK_SECRET"])
seen = set()  # in production: a unique column in your database


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            event = webhook.verify(body, dict(self.headers))  # the raw body, as received
        except WebhookVerificationError:
            self.send_response(401)
            self.end_headers()
            return
        if self.headers["webhook-id"] not in seen:
            seen.add(self.headers["webhook-id"])
            # your work here (queue it: answer within seconds)
            print(json.dumps({"type": event["type"], "keys": event["data"]["keys"]}), flush=True)  # noqa: T201
        self.send_response(204)
        self.end_headers()


HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8788"))), Receiver).serve_forever()
