// An MQTT.js client for the gateway's transport tests, driven over standard input and output, one JSON object
// a line. Usage: node mqtt-client.mjs <url> <username> <password> [ca-file]
// In:  {"subscribe": "a/b", "qos": 1} | {"publish": "a/b", "payload": "hi", "qos": 1} | {"end": true}
// Out: {"event": "connected"} | {"event": "subscribed", "granted": [1]} | {"event": "published"}
//      {"event": "message", "topic": "a/b", "payload": "hi", "qos": 1, "retain": false} | {"event": "error", ...} | {"event": "closed"}
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';

const [url, username, password, caFile] = process.argv.slice(2);
const say = (event) => process.stdout.write(JSON.stringify(event) + '\n');

const client = mqtt.connect(url, {
  username,
  password,
  protocolVersion: 4,
  clean: true,
  reconnectPeriod: 0,
  connectTimeout: 10_000,
  ...(caFile ? { ca: readFileSync(caFile) } : {}),
});

client.on('connect', () => say({ event: 'connected' }));
client.on('message', (topic, payload, packet) =>
  say({ event: 'message', topic, payload: payload.toString('utf8'), qos: packet.qos, retain: packet.retain }));
client.on('error', (error) => say({ event: 'error', message: error.message }));
client.on('close', () => say({ event: 'closed' }));

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  if (command.subscribe !== undefined) {
    client.subscribe(command.subscribe, { qos: command.qos ?? 0 }, (error, granted) =>
      say(error ? { event: 'error', message: error.message } : { event: 'subscribed', granted: granted.map((g) => g.qos) }));
  } else if (command.publish !== undefined) {
    client.publish(command.publish, command.payload ?? '', { qos: command.qos ?? 0 }, (error) =>
      say(error ? { event: 'error', message: error.message } : { event: 'published' }));
  } else if (command.end) {
    client.end(false, () => process.exit(0));
  }
}
client.end(false, () => process.exit(0));
