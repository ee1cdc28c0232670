// GET admin-api/health through the gateway: what audio.health() reports, for admins only. The
// 401 case is real: the watchdog's kicks go through pg_net to process-segments with a worker
// secret that differs from the function's, and the health names that cause.
import assert from "node:assert/strict";
import { startNetDispatcher } from "../../local/pg_net/dispatcher.ts";
import { clientFor } from "../../local/gateway/testkit/fixture.ts";
import { adminHeaders, startTestStack, type TestStack, waitFor } from "../helpers/stack.ts";
import { createBatch } from "../helpers/batches.ts";

// Three refused kicks make the pattern the health reports ("the last 3 kicks").
const KICKS = 3;

async function get(stack: TestStack, path: string, headers: Record<string, string>) {
  const res = await fetch(`${stack.url}/functions/v1/admin-api/${path}`, { headers });
  return { status: res.status, body: await res.json() };
}

Deno.test("admin-api/health: admins only, a bad threshold named, no problem on an idle system", async () => {
  const stack = await startTestStack();
  try {
    assert.equal((await get(stack, "health", {})).status, 401);
    const user = { authorization: `Bearer ${stack.keys.userJwt}` };
    assert.equal((await get(stack, "health", user)).status, 403);
    const bad = await get(stack, "health?stalledMinutes=0", adminHeaders(stack));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.fields[0].field, "stalledMinutes");

    // The page's way: supabase-js with the admin's token.
    const admin = clientFor(stack.url, stack.keys.anonKey, stack.keys.adminJwt);
    const { data, error } = await admin.functions.invoke("admin-api/health", { method: "GET" });
    assert.equal(error, null);
    assert.deepEqual(data.health.problems, []);
    assert.deepEqual(data.health.queue.visible, 0);
    assert.equal(data.health.stalled_minutes, 10, "the SQL's default threshold");
  } finally {
    await stack.close();
  }
});

Deno.test("admin-api/health: kicks refused with 401 (Vault's worker secret differs) are named as the problem", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  const dispatcher = await startNetDispatcher({
    dbUrl: stack.app.settings.SUPABASE_DB_URL,
    pollIntervalMs: 100,
  });
  try {
    await stack.sql`select audio.set_setting('project_url', ${stack.url}),
      audio.set_setting('worker_secret', 'a-secret-the-function-does-not-have')`;
    await createBatch(stack.sql, { grade: 4 });
    for (let i = 0; i < KICKS; i++) {
      const [{ id }] = await stack.sql`select audio.kick_worker('cron') as id`;
      assert.ok(id !== null, "work waits and no worker is alive: the watchdog kicks");
      await waitFor(`kick ${id}'s response`, async () => {
        const rows = await stack.sql`select 1 from net._http_response where id = ${id}`;
        return rows.length > 0;
      });
    }
    const res = await get(stack, "health?stalledMinutes=30", adminHeaders(stack));
    assert.equal(res.status, 200);
    const { health } = res.body;
    assert.equal(health.stalled_minutes, 30);
    assert.deepEqual(
      health.kicks.map((k: { status_code: number }) => k.status_code),
      [401, 401, 401],
    );
    assert.ok(
      health.problems.includes(
        "the watchdog's last 3 kicks got HTTP 401: the worker secret in Vault (audio_queue_worker_secret) differs from the function's AUDIO_WORKER_SECRET",
      ),
      JSON.stringify(health.problems),
    );
    assert.ok(health.queue.visible > 0, "the batch's messages wait");
    assert.equal(health.workers.alive, 0);
  } finally {
    await dispatcher.stop();
    await stack.close();
  }
});
