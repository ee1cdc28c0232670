// Delivers one batch of changes to every joined channel: match each change against the channel's
// bindings, check RLS once per (access token, table) for all the batch's keys, then push
// `postgres_changes` events — { ids, data: { schema, table, commit_timestamp, type, columns,
// record?, old_record?, errors } } — in commit order. Columns the subscriber's role may not SELECT
// are left out, as Realtime does. A channel whose token has expired is shut down instead.
import type { Catalog, TableInfo } from "./catalog.ts";
import { bindingMatches } from "./bindings.ts";
import { type Change, keyString, type Row } from "./changes.ts";
import { deliveredOldImage, walOldImage } from "./images.ts";
import type { Payload } from "./protocol.ts";
import type { Channel, Session } from "./session.ts";
import { type DbRole, type Identity, isExpired } from "./tokens.ts";

export interface DispatchDeps {
  catalog: Catalog;
  /** Keys among `pks` whose rows `identity` may SELECT under RLS (lookups.ts visibleKeys). */
  visibleKeys(
    identity: Identity,
    info: TableInfo,
    pks: readonly Record<string, string>[],
  ): Promise<Set<string>>;
  now(): number;
  log(line: string): void;
}

interface Prepared {
  change: Change;
  info: TableInfo;
  key: string;
  walOld: Row | null;
}

interface Candidate {
  session: Session;
  channel: Channel;
  identity: Identity;
  item: Prepared;
  ids: number[];
}

async function prepare(changes: readonly Change[], catalog: Catalog, log: DispatchDeps["log"]) {
  const out: Prepared[] = [];
  for (const change of changes) {
    const info = await catalog.table(change.schema, change.table);
    if (!info || info.key.length === 0) {
      log(
        `realtime: dropped a change of ${change.schema}.${change.table}: no such table or no key`,
      );
      continue;
    }
    const key = keyString(change.pk, info.key.map((c) => c.name));
    out.push({ change, info, key, walOld: walOldImage(change, info) });
  }
  return out;
}

function candidatesOf(
  items: readonly Prepared[],
  sessions: Iterable<Session>,
  deps: DispatchDeps,
): Candidate[] {
  const out: Candidate[] = [];
  const now = deps.now();
  for (const session of sessions) {
    for (const channel of [...session.channels.values()]) {
      if (channel.bindings.length === 0) continue;
      if (isExpired(channel.identity, now)) {
        session.shutdown(channel, "InvalidJWTToken: Token has expired");
        continue;
      }
      for (const item of items) {
        const ids = new Set<number>();
        for (const b of channel.bindings) {
          if (bindingMatches(b, item.change, item.info, item.walOld)) ids.add(b.id);
        }
        if (ids.size > 0) {
          out.push({ session, channel, identity: channel.identity, item, ids: [...ids] });
        }
      }
    }
  }
  return out;
}

/** RLS answers for the candidates that need one: (token, table) → visible keys. */
async function authorize(candidates: readonly Candidate[], deps: DispatchDeps) {
  const groups = new Map<
    string,
    { identity: Identity; info: TableInfo; pks: Map<string, Record<string, string>> }
  >();
  for (const c of candidates) {
    if (c.item.change.type === "DELETE" || !c.item.info.rls) continue;
    const gk = `${c.identity.token}\n${c.item.info.sqlName}`;
    let g = groups.get(gk);
    if (!g) {
      g = { identity: c.identity, info: c.item.info, pks: new Map() };
      groups.set(gk, g);
    }
    g.pks.set(c.item.key, c.item.change.pk);
  }
  const visible = new Map<string, Set<string>>();
  for (const [gk, g] of groups) {
    try {
      visible.set(gk, await deps.visibleKeys(g.identity, g.info, [...g.pks.values()]));
    } catch (err) {
      deps.log(
        `realtime: RLS check on ${g.info.sqlName} failed, its events are withheld: ${
          err instanceof Error ? err.message : err
        }`,
      );
      visible.set(gk, new Set());
    }
  }
  return (c: Candidate): boolean | null => {
    if (c.item.change.type === "DELETE" || !c.item.info.rls) return null; // privilege decides
    return visible.get(`${c.identity.token}\n${c.item.info.sqlName}`)?.has(c.item.key) ?? false;
  };
}

function pick(row: Row | null, allowed: ReadonlySet<string>): Row | null {
  if (row === null) return null;
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (allowed.has(k)) out[k] = v;
  return out;
}

function eventData(item: Prepared, selectable: ReadonlySet<string>): Payload {
  const { change, info } = item;
  const data: Payload = {
    schema: change.schema,
    table: change.table,
    commit_timestamp: change.commitTimestamp,
    type: change.type,
    columns: info.columns.filter((c) => selectable.has(c.name)),
    errors: change.errors,
  };
  if (change.type !== "DELETE") data.record = pick(change.record, selectable);
  if (change.type !== "INSERT") data.old_record = pick(deliveredOldImage(change, info), selectable);
  return data;
}

/** The columns each (role, table) of the candidates may SELECT, keyed "role\ntable". */
async function selectableColumns(candidates: readonly Candidate[], catalog: Catalog) {
  const out = new Map<string, ReadonlySet<string>>();
  for (const c of candidates) {
    const k = `${c.identity.role}\n${c.item.info.sqlName}`;
    if (!out.has(k)) out.set(k, await catalog.selectable(c.identity.role, c.item.info));
  }
  return out;
}

/** Delivers `changes` to the sessions' channels; returns how many events were sent. */
export async function dispatch(
  changes: readonly Change[],
  sessions: Iterable<Session>,
  deps: DispatchDeps,
): Promise<number> {
  const items = await prepare(changes, deps.catalog, deps.log);
  const candidates = candidatesOf(items, sessions, deps);
  if (candidates.length === 0) return 0;
  const rlsAllows = await authorize(candidates, deps);
  const columns = await selectableColumns(candidates, deps.catalog);
  // From here on nothing awaits: the whole batch goes out in one turn of the event loop, so a
  // client that sees the batch's last event has been sent all of it (tests rely on that).
  const dataCache = new Map<Prepared, Map<DbRole, Payload>>();
  let sent = 0;
  for (const c of candidates) {
    // The channel may have left while the RLS queries ran. (A token swapped meanwhile does not
    // matter: the change happened under the token it was checked with.)
    if (c.session.channels.get(c.channel.topic) !== c.channel) continue;
    const role = c.identity.role;
    const selectable = columns.get(`${role}\n${c.item.info.sqlName}`) ?? new Set<string>();
    const keyVisible = c.item.info.key.every((k) => selectable.has(k.name));
    const allowed = rlsAllows(c) ?? keyVisible;
    if (!allowed || !keyVisible) continue;
    let byRole = dataCache.get(c.item);
    if (!byRole) {
      byRole = new Map();
      dataCache.set(c.item, byRole);
    }
    let data = byRole.get(role);
    if (!data) {
      data = eventData(c.item, selectable);
      byRole.set(role, data);
    }
    c.session.push(c.channel, "postgres_changes", { ids: c.ids, data });
    sent++;
  }
  return sent;
}
