// The Phoenix channel wire format realtime-js speaks, both serializer versions: vsn 1.0.0 sends
// each message as a JSON object { join_ref, ref, topic, event, payload }, vsn 2.0.0 (realtime-js's
// default) as a JSON array [join_ref, ref, topic, event, payload]. Broadcasts to a 2.0.0 socket are
// binary frames (broadcast_frames.ts); binary frames from clients (their own broadcasts) are not
// decoded: on the stand-in only the database broadcasts.

/** Serializer versions; the socket URL's `vsn` query parameter picks one (Phoenix default 1.0.0). */
export type Vsn = "1.0.0" | "2.0.0";

/** A JSON object payload, as every Realtime message carries. */
export type Payload = Record<string, unknown>;

/** One Phoenix message. `joinRef` ties a message to one join of its topic. */
export interface PhxMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Payload;
}

/** Phoenix's control events and topic. */
export const PHX = {
  join: "phx_join",
  leave: "phx_leave",
  reply: "phx_reply",
  close: "phx_close",
  error: "phx_error",
  heartbeat: "heartbeat",
  socketTopic: "phoenix",
} as const;

/** The socket URL's vsn parameter → serializer version; throws naming the supported values. */
export function parseVsn(value: string | null): Vsn {
  if (value === null || value === "" || value === "1.0.0") return "1.0.0";
  if (value === "2.0.0") return "2.0.0";
  throw new Error(`vsn: unsupported serializer version "${value}" (use 1.0.0 or 2.0.0)`);
}

function isPayload(value: unknown): value is Payload {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refOf(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new Error(`${field}: must be a string or null`);
}

function fromParts(
  joinRef: unknown,
  ref: unknown,
  topic: unknown,
  event: unknown,
  payload: unknown,
): PhxMessage {
  if (typeof topic !== "string" || topic === "") {
    throw new Error("topic: must be a non-empty string");
  }
  if (typeof event !== "string" || event === "") {
    throw new Error("event: must be a non-empty string");
  }
  return {
    joinRef: refOf(joinRef, "join_ref"),
    ref: refOf(ref, "ref"),
    topic,
    event,
    payload: isPayload(payload) ? payload : {},
  };
}

/** Decodes a text frame of either version (arrays are 2.0.0, objects 1.0.0); throws on garbage. */
export function decodeFrame(text: string): PhxMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("frame: not JSON (expected a Phoenix message array or object)");
  }
  if (Array.isArray(parsed)) {
    if (parsed.length !== 5) {
      throw new Error("frame: a 2.0.0 message is [join_ref, ref, topic, event, payload]");
    }
    const [joinRef, ref, topic, event, payload] = parsed;
    return fromParts(joinRef, ref, topic, event, payload);
  }
  if (isPayload(parsed)) {
    return fromParts(parsed.join_ref, parsed.ref, parsed.topic, parsed.event, parsed.payload);
  }
  throw new Error("frame: expected a Phoenix message array (vsn 2.0.0) or object (vsn 1.0.0)");
}

/** Encodes a message for a socket of the given version. */
export function encodeFrame(vsn: Vsn, msg: PhxMessage): string {
  if (vsn === "2.0.0") {
    return JSON.stringify([msg.joinRef, msg.ref, msg.topic, msg.event, msg.payload]);
  }
  return JSON.stringify({
    join_ref: msg.joinRef,
    ref: msg.ref,
    topic: msg.topic,
    event: msg.event,
    payload: msg.payload,
  });
}

/** A phx_reply to `msg` with status ok/error and a response object. */
export function replyTo(msg: PhxMessage, status: "ok" | "error", response: Payload): PhxMessage {
  return {
    joinRef: msg.joinRef,
    ref: msg.ref,
    topic: msg.topic,
    event: PHX.reply,
    payload: { status, response },
  };
}
