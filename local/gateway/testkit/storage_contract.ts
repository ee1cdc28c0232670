// Test support: the Storage behaviour the gateway promises, as Deno tests driven through
// supabase-js (storage-js) plus raw fetch for what the client cannot send. Registered twice:
// by tests/local/gateway_storage_files.test.ts (no database: folder buckets, sidecar rows) and by
// tests/local/gateway_storage_pg.test.ts (storage.buckets / storage.objects in Postgres).
import { registerAccessCases } from "./contract_access.ts";
import type { FixtureFactory } from "./contract_helpers.ts";
import { registerObjectCases } from "./contract_objects.ts";

export { errorOf, type FixtureFactory, sampleBytes, storageFetch } from "./contract_helpers.ts";

export function registerStorageContract(label: string, setup: FixtureFactory): void {
  registerObjectCases(label, setup);
  registerAccessCases(label, setup);
}
