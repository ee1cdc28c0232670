// Broadcast from the database: every message inserted into realtime.messages (realtime.send) is
// pushed to the channels joined to its topic — a private message to private channels, a public one
// to public channels — as Supabase Realtime does from its replication of that table. The stand-in
// learns of each insert from platform.sql's trigger (NOTIFY with the message id, at commit, in
// commit order), reads the rows by id and pushes them in that order. A private channel was
// authorized when it joined (authorize.ts); a channel whose token has expired is shut down instead.
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

export interface PushDeps {
  now(): number;
  log(line: string): void;
}

/** Pushes each message to the matching channels of the sessions; returns the frames sent. */
export function pushBroadcasts(
  messages: readonly StoredMessage[],
  sessions: Iterable<Session>,
  deps: PushDeps,
): number {
  const byTopic = new Map<string, StoredMessage[]>();
  for (const m of messages) {
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
  return sent;
}
