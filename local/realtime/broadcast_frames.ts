// A Broadcast message as Supabase Realtime pushes it to a joined channel. To a vsn 2.0.0 socket
// (realtime-js's default) it is a binary "user broadcast" frame:
//   byte 0  kind 4 (user broadcast)
//   byte 1  topic length      byte 2  event length      byte 3  metadata length
//   byte 4  payload encoding (1 = JSON, 0 = binary)
//   then the topic, the event, the metadata (JSON, here { "id": <message id> }) and the payload,
// each length a byte count of UTF-8 (at most 255). To a vsn 1.0.0 socket it is a JSON message
// with event "broadcast" and payload { type: "broadcast", event, payload, meta }.
import { encodeFrame, type Payload, type Vsn } from "./protocol.ts";

/** One message to push: the channel's topic (realtime:<name>), the user event, its JSON payload. */
export interface BroadcastOut {
  topic: string;
  event: string;
  /** The payload as JSON text, sent as stored. */
  payloadJson: string;
  /** The message's id, sent as metadata. */
  id: string;
}

const USER_BROADCAST = 4;
const JSON_ENCODING = 1;
const HEADER_BYTES = 5;
const MAX_FIELD_BYTES = 255;

function field(name: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_FIELD_BYTES) {
    throw new Error(`broadcast ${name}: ${bytes.length} bytes; a frame allows at most 255`);
  }
  return bytes;
}

/** The frame of `msg` for a socket of version `vsn`; throws when a field is too long. */
export function broadcastFrame(vsn: Vsn, msg: BroadcastOut): string | Uint8Array {
  const meta = { id: msg.id };
  if (vsn === "1.0.0") {
    const payload: Payload = {
      type: "broadcast",
      event: msg.event,
      payload: JSON.parse(msg.payloadJson),
      meta,
    };
    return encodeFrame(vsn, {
      joinRef: null,
      ref: null,
      topic: msg.topic,
      event: "broadcast",
      payload,
    });
  }
  const utf8 = new TextEncoder();
  const topic = field("topic", utf8.encode(msg.topic));
  const event = field("event", utf8.encode(msg.event));
  const metadata = field("metadata", utf8.encode(JSON.stringify(meta)));
  const body = utf8.encode(msg.payloadJson);
  const frame = new Uint8Array(
    HEADER_BYTES + topic.length + event.length + metadata.length + body.length,
  );
  frame.set([USER_BROADCAST, topic.length, event.length, metadata.length, JSON_ENCODING]);
  let at = HEADER_BYTES;
  for (const part of [topic, event, metadata, body]) {
    frame.set(part, at);
    at += part.length;
  }
  return frame;
}
