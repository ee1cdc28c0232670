// One WebSocket connection of the Realtime stand-in: its channels and the Phoenix messages it
// answers — phx_join (access token, a private channel's authorization), heartbeat, access_token,
// phx_leave — one message at a time, in arrival order. Sending goes
// through deps.send so tests and the server share this logic; the socket itself lives in server.ts.
import type { Access, Extension } from "./authorize.ts";
import {
  decodeFrame,
  encodeFrame,
  type Payload,
  PHX,
  type PhxMessage,
  replyTo,
  type Vsn,
} from "./protocol.ts";
import type { ProjectKeys } from "../gateway/keyring.ts";
import { identify, type Identity } from "./tokens.ts";

export interface Channel {
  topic: string;
  /** The topic without "realtime:", as `system` messages name it. */
  subTopic: string;
  joinRef: string | null;
  identity: Identity;
  /** Joined with config.private: only admitted by the policies on realtime.messages. */
  private: boolean;
  /** The extensions whose access the join checked (presence when the channel uses it). */
  extensions: Extension[];
}

export interface SessionDeps {
  vsn: Vsn;
  /** The socket's apikey: the identity of channels that join without an access token. */
  apiKey: Identity;
  keys: ProjectKeys;
  /** What the identity may do on a topic under the RLS policies on realtime.messages. */
  authorize(identity: Identity, topic: string, extensions: readonly Extension[]): Promise<Access>;
  send(frame: string | Uint8Array): void;
  log(line: string): void;
}

const TOPIC_PREFIX = "realtime:";

/** A join asking for postgres_changes: the project follows Broadcast from the database only, so
 * the stand-in refuses it plainly instead of imitating a stream nothing uses. */
const NO_POSTGRES_CHANGES = "postgres_changes is not served by the local Realtime stand-in: " +
  "the project follows Broadcast from the database (realtime.send)";

/** Realtime's refusal of a private channel the policies do not let the token read. */
function unauthorized(subTopic: string): string {
  return `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`;
}

function isObject(value: unknown): value is Payload {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class Session {
  readonly channels = new Map<string, Channel>();
  #deps: SessionDeps;
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: SessionDeps) {
    this.#deps = deps;
  }

  /** Handles one text frame after the ones before it; never rejects (failures are logged). */
  receive(text: string): Promise<void> {
    this.#queue = this.#queue.then(() => this.#handleFrame(text)).catch((err) => {
      this.#deps.log(`realtime: message failed: ${err instanceof Error ? err.message : err}`);
    });
    return this.#queue;
  }

  /** The socket's serializer version. */
  get vsn(): Vsn {
    return this.#deps.vsn;
  }

  /** Sends a frame already encoded for this socket (a broadcast, broadcast_frames.ts). */
  sendFrame(frame: string | Uint8Array): void {
    this.#deps.send(frame);
  }

  /** Sends an event to a joined channel. */
  push(channel: Channel, event: string, payload: Payload): void {
    this.#send({ joinRef: channel.joinRef, ref: null, topic: channel.topic, event, payload });
  }

  /** Closes a channel from the server side as Realtime does (its channel process pushes a
   * `system` error naming why and stops; Phoenix then sends phx_close with the join's ref as both
   * join_ref and ref). The socket stays open. */
  shutdown(channel: Channel, message: string): void {
    if (this.channels.get(channel.topic) !== channel) return;
    this.channels.delete(channel.topic);
    this.#system(channel, "system", "error", message);
    this.#send({
      joinRef: channel.joinRef,
      ref: channel.joinRef,
      topic: channel.topic,
      event: PHX.close,
      payload: {},
    });
  }

  #send(msg: PhxMessage): void {
    this.#deps.send(encodeFrame(this.#deps.vsn, msg));
  }

  #system(channel: Channel, extension: string, status: "ok" | "error", message: string): void {
    this.push(channel, "system", { extension, status, message, channel: channel.subTopic });
  }

  async #handleFrame(text: string): Promise<void> {
    let msg: PhxMessage;
    try {
      msg = decodeFrame(text);
    } catch (err) {
      this.#deps.log(`realtime: ignored a frame: ${err instanceof Error ? err.message : err}`);
      return;
    }
    if (msg.topic === PHX.socketTopic) {
      if (msg.event === PHX.heartbeat) this.#send(replyTo(msg, "ok", {}));
      return;
    }
    if (msg.event === PHX.join) return await this.#join(msg);
    const channel = this.channels.get(msg.topic);
    if (!channel) {
      if (msg.ref !== null) this.#send(replyTo(msg, "error", { reason: "unmatched topic" }));
      return;
    }
    if (msg.event === PHX.leave) {
      this.channels.delete(channel.topic);
      this.#send(replyTo(msg, "ok", {}));
      this.push(channel, PHX.close, {});
      return;
    }
    if (msg.event === "access_token") return await this.#accessToken(channel, msg);
    if (msg.ref !== null) {
      this.#send(replyTo(msg, "error", {
        reason: `${msg.event}: not served by the local Realtime stand-in (only the database ` +
          "broadcasts, with realtime.send; presence is not served)",
      }));
    }
  }

  async #join(msg: PhxMessage): Promise<void> {
    if (!msg.topic.startsWith(TOPIC_PREFIX) || msg.topic === TOPIC_PREFIX) {
      this.#send(replyTo(msg, "error", {
        reason: "TopicNameRequired: join a topic named realtime:<channel name>",
      }));
      return;
    }
    const payload = msg.payload;
    const token = payload.access_token ?? payload.user_token;
    // supabase-js sends the anon key as access_token when no user is signed in.
    const result = token === undefined || token === null || token === this.#deps.apiKey.token
      ? { ok: true as const, identity: this.#deps.apiKey }
      : await identify(this.#deps.keys, token);
    if (!result.ok) {
      this.#send(replyTo(msg, "error", { reason: result.reason }));
      return;
    }
    const config = isObject(payload.config) ? payload.config : {};
    if (Array.isArray(config.postgres_changes) && config.postgres_changes.length > 0) {
      this.#send(replyTo(msg, "error", { reason: NO_POSTGRES_CHANGES }));
      return;
    }
    const subTopic = msg.topic.slice(TOPIC_PREFIX.length);
    const isPrivate = config.private === true;
    const presence = isObject(config.presence) && config.presence.enabled === true;
    const extensions: Extension[] = presence ? ["broadcast", "presence"] : ["broadcast"];
    if (isPrivate && !(await this.#mayRead(result.identity, subTopic, extensions))) {
      this.#send(replyTo(msg, "error", { reason: unauthorized(subTopic) }));
      return;
    }
    const channel: Channel = {
      topic: msg.topic,
      subTopic,
      joinRef: msg.joinRef ?? msg.ref,
      identity: result.identity,
      private: isPrivate,
      extensions,
    };
    // A second join of a topic replaces the first, as Phoenix closes the older channel.
    this.channels.set(channel.topic, channel);
    this.#send(replyTo(msg, "ok", { postgres_changes: [] }));
    if (presence) this.push(channel, "presence_state", {});
    if (isObject(config.broadcast) && config.broadcast.replication_ready === true) {
      this.#system(channel, "system", "ok", "Replication connection established");
    }
  }

  /** Whether the policies let `identity` read some extension of the topic; a failed check is no. */
  async #mayRead(identity: Identity, subTopic: string, extensions: Extension[]): Promise<boolean> {
    try {
      const access = await this.#deps.authorize(identity, subTopic, extensions);
      return extensions.some((ext) => access.read[ext]);
    } catch (err) {
      this.#deps.log(
        `realtime: RlsPolicyError on ${subTopic}: ${err instanceof Error ? err.message : err}`,
      );
      return false;
    }
  }

  async #accessToken(channel: Channel, msg: PhxMessage): Promise<void> {
    const token = msg.payload.access_token;
    // Realtime ignores a repeated token, a null one and publishable (sb_...) keys. It sends no
    // reply; we do, so the client's push settles instead of timing out.
    if (
      token === undefined || token === null || token === channel.identity.token ||
      (typeof token === "string" && token.startsWith("sb_"))
    ) {
      if (msg.ref !== null) this.#send(replyTo(msg, "ok", {}));
      return;
    }
    const result = token === this.#deps.apiKey.token
      ? { ok: true as const, identity: this.#deps.apiKey }
      : await identify(this.#deps.keys, token);
    if (msg.ref !== null) {
      this.#send(
        replyTo(msg, result.ok ? "ok" : "error", result.ok ? {} : { reason: result.reason }),
      );
    }
    if (!result.ok) {
      this.shutdown(channel, result.reason);
      return;
    }
    // A private channel's new token is checked against the policies again; losing read access
    // closes the channel, as on Supabase.
    if (
      channel.private &&
      !(await this.#mayRead(result.identity, channel.subTopic, channel.extensions))
    ) {
      this.shutdown(channel, unauthorized(channel.subTopic));
      return;
    }
    channel.identity = result.identity;
  }
}
