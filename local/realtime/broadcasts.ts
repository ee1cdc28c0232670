// Broadcast from the database: every message inserted into realtime.messages (realtime.send) is
// pushed to the channels joined to its topic — a private message to private channels, a public one
// to public channels — as Supabase Realtime does from its replication of that table. The stand-in
// learns of each insert from platform.sql's trigger (NOTIFY with the message id, at commit, in
// commit order), reads the rows by id and pushes them in that order. A private channel was
// authorized when it joined (authorize.ts); a channel whose token has expired is shut down instead.
// A message whose payload is over the project's payload limit is dropped before any channel sees
// it and only logged here, as Realtime drops it (payload_size_exceeded) and tells no client.
import type postgres from "postgres";
import { broadcastFrame } from "./broadcast_frames.ts";
import type { Session } from "./session.ts";
import { isExpired } from "./tokens.ts";

/** The channel platform.sql's trigger on realtime.messages notifies, with the message id. */
export const MESSAGES_CHANNEL = "audio_queue_realtime_messages";

export interface StoredMessage {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  /** The payload as JSON text. */
  payload: string;
}

/** The messages with these ids, in the order of `ids` (ids whose row is gone are left out). */
export async function readMessages(
  sql: postgres.Sql,
  ids: readonly string[],
): Promise<StoredMessage[]> {
  const rows = await sql<StoredMessage[]>`
    select m.id::text as id, m.topic, coalesce(m.event, '') as event,
      coalesce(m.private, false) as private, coalesce(m.payload, '{}'::jsonb)::text as payload
    from realtime.messages as m where m.id = any(${ids as string[]}::uuid[])`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Supabase's Free plan payload limit, in KB (a Realtime tenant's default is 3,000). */
export const FREE_PLAN_MAX_PAYLOAD_KB = 256;

/** Whether Realtime would pass a payload given as JSON text under a limit of `maxPayloadKb`:
 * it measures the payload as an Erlang term (a binary of the text: its bytes and 6) and refuses
 * one over maxPayloadKb × 1000 + 500 (Realtime.Tenants.validate_payload_size). */
export function payloadFits(payloadJson: string, maxPayloadKb: number): boolean {
  const termBytes = new TextEncoder().encode(payloadJson).byteLength + 6;
  return termBytes <= maxPayloadKb * 1000 + 500;
}

export interface PushDeps {
  now(): number;
  log(line: string): void;
  /** The project's payload limit in KB; a larger message goes to no channel. */
  maxPayloadKb: number;
}

export interface PushResult {
  /** Frames sent (one per message and channel it reached). */
  sent: number;
  /** Messages dropped for their size. */
  dropped: number;
}

/** Pushes each message that fits the payload limit to the matching channels of the sessions. */
export function pushBroadcasts(
  messages: readonly StoredMessage[],
  sessions: Iterable<Session>,
  deps: PushDeps,
): PushResult {
  const byTopic = new Map<string, StoredMessage[]>();
  let dropped = 0;
  for (const m of messages) {
    if (!payloadFits(m.payload, deps.maxPayloadKb)) {
      dropped++;
      deps.log(
        `realtime: UnableToBroadcastChanges: payload_size_exceeded: message ${m.id} on ${m.topic} ` +
          `(${m.event}) is over ${deps.maxPayloadKb} KB and went to no channel`,
      );
      continue;
    }
    const key = `${m.private}\n${m.topic}`;
    byTopic.set(key, [...(byTopic.get(key) ?? []), m]);
  }
  let sent = 0;
  const now = deps.now();
  for (const session of sessions) {
    for (const channel of [...session.channels.values()]) {
      const mine = byTopic.get(`${channel.private}\n${channel.subTopic}`);
      if (!mine) continue;
      if (isExpired(channel.identity, now)) {
        session.shutdown(channel, "InvalidJWTToken: Token has expired");
        continue;
      }
      for (const m of mine) {
        try {
          session.sendFrame(broadcastFrame(session.vsn, {
            topic: channel.topic,
            event: m.event,
            payloadJson: m.payload,
            id: m.id,
          }));
          sent++;
        } catch (err) {
          deps.log(
            `realtime: a broadcast on ${m.topic} was not sent: ${
              err instanceof Error ? err.message : err
            }`,
          );
        }
      }
    }
  }
  return { sent, dropped };
}
