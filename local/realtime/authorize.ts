// Private channels: what a token may do on a topic, decided by the RLS policies on
// realtime.messages, as Supabase Realtime decides it when a private channel joins. In one
// transaction that is always rolled back: a probe message per extension (broadcast, and presence
// when the channel uses it) is inserted with the server's own rights; then, as the token's role
// with its claims in request.jwt.claims and realtime.topic set to the topic, the probes the role
// can SELECT are the extensions it may read, and an insert it may make (tried in a savepoint) is
// one it may write. The rollback also drops the probes' notifications: nothing is delivered.
import type postgres from "postgres";
import type { Identity } from "./tokens.ts";

/** A role name as a quoted SQL identifier. */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export type Extension = "broadcast" | "presence";

export interface Access {
  read: Record<Extension, boolean>;
  write: Record<Extension, boolean>;
}

class Rollback extends Error {}

function isInsufficientPrivilege(err: unknown): boolean {
  // SQLSTATE 42501: no privilege, or a row the policies refuse ("violates row-level security").
  return typeof err === "object" && err !== null && "code" in err &&
    (err as { code: unknown }).code === "42501";
}

/** The access `identity` has to `topic` (the channel name without "realtime:"). */
export async function channelAccess(
  sql: postgres.Sql,
  identity: Identity,
  topic: string,
  extensions: readonly Extension[],
): Promise<Access> {
  const access: Access = {
    read: { broadcast: false, presence: false },
    write: { broadcast: false, presence: false },
  };
  const probes = extensions.map((ext) => ({ ext, id: crypto.randomUUID() }));
  try {
    await sql.begin(async (tx) => {
      for (const p of probes) {
        await tx`insert into realtime.messages (id, topic, extension)
                 values (${p.id}::uuid, ${topic}, ${p.ext})`;
      }
      // identity.role is one of tokens.ts's fixed role names, never text from the token itself.
      await tx.unsafe(`set local role ${quoteIdent(identity.role)}`);
      await tx`select
        pg_catalog.set_config('realtime.topic', ${topic}, true),
        pg_catalog.set_config('request.jwt.claims', ${JSON.stringify(identity.claims)}, true),
        pg_catalog.set_config('request.jwt.claim.sub', ${String(identity.claims.sub ?? "")}, true),
        pg_catalog.set_config('request.jwt.claim.role', ${identity.role}, true)`;
      const seen = await readable(tx, probes.map((p) => p.id));
      for (const p of probes) access.read[p.ext] = seen.has(p.id);
      for (const p of probes) access.write[p.ext] = await canInsert(tx, topic, p.ext);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return access;
}

async function readable(tx: postgres.TransactionSql, ids: string[]): Promise<Set<string>> {
  try {
    const rows = await tx.savepoint((sp) =>
      sp<{ id: string }[]>`select id::text as id from realtime.messages
                           where id = any(${ids}::uuid[])`
    );
    return new Set(rows.map((r) => r.id));
  } catch (err) {
    if (isInsufficientPrivilege(err)) return new Set();
    throw err;
  }
}

async function canInsert(
  tx: postgres.TransactionSql,
  topic: string,
  ext: Extension,
): Promise<boolean> {
  try {
    await tx.savepoint((sp) =>
      sp`insert into realtime.messages (topic, extension) values (${topic}, ${ext})`
    );
    return true;
  } catch (err) {
    if (isInsufficientPrivilege(err)) return false;
    throw err;
  }
}
