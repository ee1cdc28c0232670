// Storage requests have a timeout of their own (storage-js takes no signal for an upload): a
// Storage that never answers fails the call with an error saying so, and a caller's own abort
// still reads as that abort.
import assert from "node:assert/strict";
import { timedFetch } from "../../supabase/functions/_shared/app.ts";

// A fetch that never answers until its request is aborted.
const hanging: typeof fetch = (_input, init) =>
  new Promise((_, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
  });

Deno.test("a Storage that never answers: the request fails with a timeout error", async () => {
  const timed = timedFetch(hanging, 20);
  await assert.rejects(
    timed("http://storage.test/object/word-audio/a.wav", { method: "POST" }),
    { message: "Storage did not answer within 20 ms" },
  );
});

Deno.test("the caller's own abort is reported as such, not as a timeout", async () => {
  const timed = timedFetch(hanging, 60_000);
  const ctl = new AbortController();
  const call = timed("http://storage.test/x", { signal: ctl.signal });
  ctl.abort(new Error("caller gave up"));
  await assert.rejects(call, { message: "caller gave up" });
});

Deno.test("an answer in time passes through", async () => {
  const timed = timedFetch(() => Promise.resolve(new Response("ok")), 60_000);
  assert.equal(await (await timed("http://storage.test/x")).text(), "ok");
});
