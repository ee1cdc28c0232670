// `POST /object/list/<bucket>`: the request body (what storage-js list() sends) and one folder
// level of a bucket built from the object rows under a prefix, as storage.search() returns it:
// files with their row, sub-folders as { name, id: null, ..., metadata: null }.
import { z } from "zod";
import { storageErrors } from "./errors.ts";
import type { ObjectMetadata, ObjectRecord } from "./types.ts";

// One page of a listing; storage-js asks for 100 by default. 1000 bounds the work of a request.
const MAX_LIST_LIMIT = 1000;

const SORT_COLUMNS = ["name", "created_at", "updated_at", "last_accessed_at"] as const;

const listBody = z.object({
  prefix: z.string().default(""),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).default(100),
  offset: z.number().int().min(0).default(0),
  search: z.string().default(""),
  sortBy: z.object({
    column: z.enum(SORT_COLUMNS).default("name"),
    order: z.enum(["asc", "desc"]).default("asc"),
  }).default({ column: "name", order: "asc" }),
});

export type ListOptions = z.infer<typeof listBody>;

export interface ListedItem {
  name: string;
  id: string | null;
  updated_at: string | null;
  created_at: string | null;
  last_accessed_at: string | null;
  metadata: ObjectMetadata | null;
}

/** Validates a list body; the 400 names the bad field. */
export function parseListBody(body: unknown): ListOptions {
  const parsed = listBody.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw storageErrors.invalidRequest(
      `list body: ${issue.path.join(".") || "(body)"}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** The folder prefix to search under: "" or ending in "/". */
export function folderPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}

/** One folder level under opts.prefix, filtered, sorted and paged. */
export function listLevel(records: readonly ObjectRecord[], opts: ListOptions): ListedItem[] {
  const prefix = folderPrefix(opts.prefix);
  const search = opts.search.toLowerCase();
  const items = new Map<string, ListedItem>();
  for (const record of records) {
    if (!record.name.startsWith(prefix)) continue;
    const rest = record.name.slice(prefix.length);
    const slash = rest.indexOf("/");
    const itemName = slash === -1 ? rest : rest.slice(0, slash);
    if (!itemName.toLowerCase().startsWith(search)) continue;
    if (slash === -1) {
      items.set(itemName, {
        name: itemName,
        id: record.id,
        updated_at: record.updated_at,
        created_at: record.created_at,
        last_accessed_at: record.last_accessed_at,
        metadata: record.metadata,
      });
    } else if (!items.has(itemName)) {
      items.set(itemName, {
        name: itemName,
        id: null,
        updated_at: null,
        created_at: null,
        last_accessed_at: null,
        metadata: null,
      });
    }
  }
  const { column, order } = opts.sortBy;
  const sign = order === "asc" ? 1 : -1;
  const sorted = [...items.values()].sort((a, b) => {
    const x = a[column];
    const y = b[column];
    // Postgres order: nulls last when ascending, first when descending; ties by name.
    if (x === null || y === null) {
      if (x !== y) return (x === null ? 1 : -1) * sign;
      return compare(a.name, b.name);
    }
    return compare(x, y) * sign || compare(a.name, b.name);
  });
  return sorted.slice(opts.offset, opts.offset + opts.limit);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
