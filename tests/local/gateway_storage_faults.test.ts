// The gateway's Storage fault injection, seen through storage-js as the worker uploads: a 500
// window answers every request 500 and stores nothing, a stall window holds an upload until the
// window is cleared (then it is stored), and closing the windows brings Storage back.
import assert from "node:assert/strict";
import { PRIVATE_BUCKET, startFixture } from "../../local/gateway/testkit/fixture.ts";
import { errorOf } from "../../local/gateway/testkit/contract_helpers.ts";
import { storageFaults } from "../../local/gateway/server.ts";

const AUDIO = { contentType: "audio/wav", upsert: true };
// Long enough that no window closes by itself while a test runs: the tests close them.
const WINDOW_MS = 600_000;

Deno.test("storage faults: a 500 window fails every upload and stores nothing, until cleared", async () => {
  const faults = storageFaults();
  const fx = await startFixture({ storageFaults: faults });
  try {
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    faults.failFor(WINDOW_MS);
    const failed = await bucket.upload("v/m/wav/a.wav", new Uint8Array([1, 2, 3]), AUDIO);
    assert.equal(errorOf(failed.error)?.status, 500);
    const listed = await bucket.list("v/m/wav");
    assert.equal(errorOf(listed.error)?.status, 500, "reads fail in the window too");
    faults.clear();
    assert.equal(
      (await bucket.upload("v/m/wav/a.wav", new Uint8Array([1, 2, 3]), AUDIO)).error,
      null,
    );
    const { data, error } = await bucket.download("v/m/wav/a.wav");
    assert.equal(error, null);
    assert.deepEqual(new Uint8Array(await data!.arrayBuffer()), new Uint8Array([1, 2, 3]));
  } finally {
    await fx.close();
  }
});

Deno.test("storage faults: a stalled upload is held until the window is cleared, then stored", async () => {
  const faults = storageFaults();
  const fx = await startFixture({ storageFaults: faults });
  try {
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    faults.stallFor(WINDOW_MS);
    let settled = false;
    const upload = bucket.upload("v/m/wav/b.wav", new Uint8Array([4, 5]), AUDIO)
      .finally(() => (settled = true));
    // Bounded: the upload reaches the gate within a few hundred polls.
    for (let i = 0; i < 500 && faults.stalled() === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(faults.stalled(), 1, "the upload is held at the gate");
    assert.equal(settled, false);
    faults.clear();
    assert.equal((await upload).error, null);
    assert.equal(faults.stalled(), 0);
    assert.deepEqual(faults.injected(), { failed: 0, stalled: 1 });
    const { data } = await bucket.download("v/m/wav/b.wav");
    assert.deepEqual(new Uint8Array(await data!.arrayBuffer()), new Uint8Array([4, 5]));
  } finally {
    await fx.close();
  }
});

Deno.test("storage faults: windows are checked, named and bounded", () => {
  const faults = storageFaults();
  assert.throws(() => faults.failFor(-1), /failFor: ms must be 0–3600000, got -1/);
  assert.throws(() => faults.stallFor(Number.NaN), /stallFor/);
});
