// The object index without a database: buckets are the storage root's folders (public when
// listed in publicBuckets), and each object's row is a JSON file under
// <storageRoot>/.meta/<bucket>/<sha256 of the name>.json (flat, so any name fits in NAME_MAX).
import { join } from "node:path";
import { TMP_DIR } from "./blobs.ts";
import type { BucketRecord, ObjectIndex, ObjectMetadata, ObjectRecord } from "./types.ts";

/** Folder of the row files under the storage root; dot-folders are never buckets. */
const META_DIR = ".meta";

export interface FileIndexOptions {
  storageRoot: string;
  /** Bucket ids whose objects anyone with a valid JWT (or the public URL) may read. */
  publicBuckets: readonly string[];
}

export function fileIndex(opts: FileIndexOptions): ObjectIndex {
  const { storageRoot } = opts;
  const metaDir = (bucketId: string) => join(storageRoot, META_DIR, bucketId);
  const tmpDir = join(storageRoot, TMP_DIR);

  async function rowPath(bucketId: string, name: string): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    return join(metaDir(bucketId), `${hex}.json`);
  }

  async function readRow(path: string): Promise<ObjectRecord | null> {
    try {
      return JSON.parse(await Deno.readTextFile(path)) as ObjectRecord;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
  }

  /** Writes the row to a temp file, then links (no overwrite) or renames (overwrite) it in. */
  async function writeRow(path: string, row: ObjectRecord, overwrite: boolean): Promise<boolean> {
    await Deno.mkdir(tmpDir, { recursive: true });
    await Deno.mkdir(join(path, ".."), { recursive: true });
    const tmp = join(tmpDir, `${crypto.randomUUID()}.json`);
    await Deno.writeTextFile(tmp, JSON.stringify(row));
    if (overwrite) {
      await Deno.rename(tmp, path);
      return true;
    }
    try {
      await Deno.link(tmp, path);
      return true;
    } catch (err) {
      if (err instanceof Deno.errors.AlreadyExists) return false;
      throw err;
    } finally {
      await Deno.remove(tmp);
    }
  }

  function newRow(
    bucketId: string,
    name: string,
    metadata: ObjectMetadata,
    owner: string | null,
    previous: ObjectRecord | null,
  ): ObjectRecord {
    const now = new Date().toISOString();
    return {
      id: previous?.id ?? crypto.randomUUID(),
      bucket_id: bucketId,
      name,
      owner,
      created_at: previous?.created_at ?? now,
      updated_at: now,
      last_accessed_at: now,
      metadata,
    };
  }

  async function bucketRecord(id: string): Promise<BucketRecord | null> {
    if (id.startsWith(".")) return null;
    const info = await Deno.stat(join(storageRoot, id)).catch(() => null);
    if (!info?.isDirectory) return null;
    const at = (info.birthtime ?? info.mtime ?? new Date(0)).toISOString();
    return {
      id,
      name: id,
      owner: null,
      public: opts.publicBuckets.includes(id),
      file_size_limit: null,
      allowed_mime_types: null,
      created_at: at,
      updated_at: at,
    };
  }

  return {
    async buckets() {
      const out: BucketRecord[] = [];
      for await (const entry of Deno.readDir(storageRoot)) {
        if (!entry.isDirectory || entry.name.startsWith(".")) continue;
        const record = await bucketRecord(entry.name);
        if (record) out.push(record);
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    bucket: bucketRecord,

    async get(bucketId, name) {
      return await readRow(await rowPath(bucketId, name));
    },

    async insert(bucketId, name, metadata, owner) {
      const row = newRow(bucketId, name, metadata, owner, null);
      return (await writeRow(await rowPath(bucketId, name), row, false)) ? row : null;
    },

    async upsert(bucketId, name, metadata, owner) {
      const path = await rowPath(bucketId, name);
      const row = newRow(bucketId, name, metadata, owner, await readRow(path));
      await writeRow(path, row, true);
      return row;
    },

    async remove(bucketId, names) {
      const removed: ObjectRecord[] = [];
      for (const name of new Set(names)) {
        const path = await rowPath(bucketId, name);
        const row = await readRow(path);
        if (!row) continue;
        try {
          await Deno.remove(path);
          removed.push(row);
        } catch (err) {
          if (!(err instanceof Deno.errors.NotFound)) throw err; // removed concurrently: skip
        }
      }
      return removed;
    },

    async withPrefix(bucketId, prefix) {
      const out: ObjectRecord[] = [];
      let entries: AsyncIterable<Deno.DirEntry>;
      try {
        entries = Deno.readDir(metaDir(bucketId));
        for await (const entry of entries) {
          if (!entry.isFile || !entry.name.endsWith(".json")) continue;
          const row = await readRow(join(metaDir(bucketId), entry.name));
          if (row && row.name.startsWith(prefix)) out.push(row);
        }
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return out;
        throw err;
      }
      return out;
    },

    async close() {},
  };
}
