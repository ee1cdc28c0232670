// The gateway's Storage subset without a database (buckets are folders of the storage root,
// object rows are sidecar files), driven through supabase-js: see the contract for the cases.
import { startFixture } from "../../local/gateway/testkit/fixture.ts";
import { registerStorageContract } from "../../local/gateway/testkit/storage_contract.ts";

registerStorageContract("storage (no database)", () => startFixture());
