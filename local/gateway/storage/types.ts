// The records the Storage routes work with, in the JSON shape the Storage API returns
// (snake_case like storage.objects / storage.buckets), and the index that keeps them.

/** storage.objects.metadata as Supabase Storage writes it. */
export interface ObjectMetadata {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
}

/** One object's row. */
export interface ObjectRecord {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
  metadata: ObjectMetadata;
}

/** One bucket's row. */
export interface BucketRecord {
  id: string;
  name: string;
  owner: string | null;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: string;
  updated_at: string;
}

/**
 * Where buckets and object rows live: storage.buckets / storage.objects when the gateway has a
 * database, sidecar JSON files under the storage root otherwise. The bytes live elsewhere
 * (blobs.ts); the index decides whether an object exists.
 */
export interface ObjectIndex {
  buckets(): Promise<BucketRecord[]>;
  bucket(id: string): Promise<BucketRecord | null>;
  get(bucketId: string, name: string): Promise<ObjectRecord | null>;
  /** Adds the row unless one exists (atomically); null when it already existed. */
  insert(
    bucketId: string,
    name: string,
    metadata: ObjectMetadata,
    owner: string | null,
  ): Promise<ObjectRecord | null>;
  /** Adds or replaces the row, keeping id and created_at of a replaced one. */
  upsert(
    bucketId: string,
    name: string,
    metadata: ObjectMetadata,
    owner: string | null,
  ): Promise<ObjectRecord>;
  /** Deletes the rows that exist and returns them. */
  remove(bucketId: string, names: readonly string[]): Promise<ObjectRecord[]>;
  /** Every object of the bucket whose name starts with prefix (case-sensitive). */
  withPrefix(bucketId: string, prefix: string): Promise<ObjectRecord[]>;
  close(): Promise<void>;
}
