// The object index on Postgres: buckets from storage.buckets (the project's migration inserts
// word-audio there) and one storage.objects row per object, as Supabase Storage keeps them.
import postgres from "postgres";
import type { BucketRecord, ObjectIndex, ObjectMetadata, ObjectRecord } from "./types.ts";

// A handful of connections: the gateway's queries are single-row and short.
const POOL_SIZE = 4;
// Fail a start against a dead database within seconds instead of hanging the stack script.
const CONNECT_TIMEOUT_S = 10;

interface ObjectRow {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  created_at: Date;
  updated_at: Date;
  last_accessed_at: Date;
  metadata: ObjectMetadata;
}

interface BucketRow {
  id: string;
  name: string;
  owner: string | null;
  public: boolean;
  file_size_limit: string | number | null;
  allowed_mime_types: string[] | null;
  created_at: Date;
  updated_at: Date;
}

function toObject(row: ObjectRow): ObjectRecord {
  return {
    id: row.id,
    bucket_id: row.bucket_id,
    name: row.name,
    owner: row.owner,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    last_accessed_at: row.last_accessed_at.toISOString(),
    metadata: row.metadata,
  };
}

function toBucket(row: BucketRow): BucketRecord {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    public: row.public,
    file_size_limit: row.file_size_limit === null ? null : Number(row.file_size_limit),
    allowed_mime_types: row.allowed_mime_types,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/**
 * Connects and checks that storage.buckets and storage.objects exist; the error names the fix
 * and never includes the URL (it carries the password).
 */
export async function pgIndex(dbUrl: string): Promise<ObjectIndex> {
  const sql = postgres(dbUrl, {
    max: POOL_SIZE,
    connect_timeout: CONNECT_TIMEOUT_S,
    onnotice: () => {},
  });
  try {
    await sql`select 1 from storage.buckets, storage.objects limit 1`;
  } catch (err) {
    await sql.end({ timeout: 1 });
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `dbUrl: cannot read storage.buckets / storage.objects (${why}); check the URL and apply ` +
        `local/platform.sql to that database`,
    );
  }
  const columns =
    sql`id, bucket_id, name, owner, created_at, updated_at, last_accessed_at, metadata`;

  return {
    async buckets() {
      const rows = await sql<BucketRow[]>`
        select id, name, owner, public, file_size_limit, allowed_mime_types, created_at, updated_at
        from storage.buckets order by name`;
      return rows.map(toBucket);
    },

    async bucket(id) {
      const rows = await sql<BucketRow[]>`
        select id, name, owner, public, file_size_limit, allowed_mime_types, created_at, updated_at
        from storage.buckets where id = ${id}`;
      return rows.length ? toBucket(rows[0]) : null;
    },

    async get(bucketId, name) {
      const rows = await sql<ObjectRow[]>`
        select ${columns} from storage.objects where bucket_id = ${bucketId} and name = ${name}`;
      return rows.length ? toObject(rows[0]) : null;
    },

    async insert(bucketId, name, metadata, owner) {
      const rows = await sql<ObjectRow[]>`
        insert into storage.objects (bucket_id, name, owner, metadata)
        values (${bucketId}, ${name}, ${owner}, ${sql.json({ ...metadata })})
        on conflict (bucket_id, name) do nothing
        returning ${columns}`;
      return rows.length ? toObject(rows[0]) : null;
    },

    async upsert(bucketId, name, metadata, owner) {
      const rows = await sql<ObjectRow[]>`
        insert into storage.objects (bucket_id, name, owner, metadata)
        values (${bucketId}, ${name}, ${owner}, ${sql.json({ ...metadata })})
        on conflict (bucket_id, name) do update
          set metadata = excluded.metadata, owner = excluded.owner,
              updated_at = now(), last_accessed_at = now()
        returning ${columns}`;
      return toObject(rows[0]);
    },

    async remove(bucketId, names) {
      if (names.length === 0) return [];
      const rows = await sql<ObjectRow[]>`
        delete from storage.objects
        where bucket_id = ${bucketId} and name = any(${[...names]}::text[])
        returning ${columns}`;
      return rows.map(toObject);
    },

    async withPrefix(bucketId, prefix) {
      const rows = await sql<ObjectRow[]>`
        select ${columns} from storage.objects
        where bucket_id = ${bucketId} and name is not null
          and starts_with(name, ${prefix})`;
      return rows.map(toObject);
    },

    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
