// A webhook receiver in Node: verify each delivery with the Standard Webhooks library, drop
// duplicates by webhook-id (delivery is at least once), answer 2xx at once and work later.
// WEBHOOK_SECRET=whsec_... PORT=8787 node receiver.mjs
import http from "node:http";
import { Webhook } from "standardwebhooks";

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
const seen = new Set(); // in production: a unique column in your database

http
  .createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      let event;
      try {
        event = webhook.verify(body, request.headers); // the raw body, as received
      } catch {
        response.writeHead(401).end();
        return;
      }
      const id = request.headers["webhook-id"];
      if (!seen.has(id)) {
        seen.add(id);
        console.log(JSON.stringify({ id, type: event.type, keys: event.data.keys }));
      }
      response.writeHead(204).end();
    });
  })
  .listen(Number(process.env.PORT || 8787), "127.0.0.1");
