// The functions that take a user's token verify it themselves (verify_jwt is off for them, the
// gateway passes every request through): each forged token gets 401 from start-batch,
// cancel-batch and admin-api and changes nothing; a legacy HS256 token of the project is
// accepted through the Auth server's check; the publishable and secret keys work where the anon
// and service-role keys do.
import assert from "node:assert/strict";
import { clientFor } from "../../local/gateway/testkit/fixture.ts";
import { signUserJwt } from "../../local/gateway/keys.ts";
import { forgedTokens } from "../helpers/forged_tokens.ts";
import { assertBackgroundClean, startTestStack, type TestStack } from "../helpers/stack.ts";

// One request per function, as the admin page sends it.
async function callAs(stack: TestStack, fn: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, apikey: stack.keys.publishableKey };
  const [wordId] = (await stack.sql`select id from public.words order by id limit 1`).map((r) =>
    r.id as string
  );
  const res = fn === "admin-api"
    ? await fetch(`${stack.url}/functions/v1/admin-api/me`, { headers })
    : await fetch(`${stack.url}/functions/v1/${fn}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(
        fn === "start-batch"
          ? { wordIds: [wordId], kinds: ["word"] }
          : { batchId: crypto.randomUUID() },
      ),
    });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) };
}

const FUNCTIONS = ["start-batch", "cancel-batch", "admin-api"];

Deno.test("function auth: every forged token gets 401 from every function and changes nothing", async () => {
  const stack = await startTestStack();
  try {
    for (const { name, token, why } of await forgedTokens(stack.keys.project)) {
      for (const fn of FUNCTIONS) {
        const r = await callAs(stack, fn, token);
        assert.equal(r.status, 401, `${fn} accepted ${name}: ${r.text}`);
        assert.equal(r.body.error.code, "unauthorized", `${fn}, ${name}`);
        assert.equal(r.body.error.fields[0].field, "Authorization");
        assert.match(r.body.error.fields[0].message, why, `${fn}, ${name}`);
        assert.ok(!r.text.includes(token), `${fn} echoed ${name}`);
      }
    }
    const [{ n }] = await stack.sql`select count(*)::int as n from public.audio_batches`;
    assert.equal(n, 0, "a forged token made a batch");
  } finally {
    await stack.close();
  }
});

Deno.test("function auth: the stack's ES256 tokens and a legacy HS256 token are accepted", async () => {
  const stack = await startTestStack();
  try {
    const legacy = await signUserJwt(stack.keys.jwtSecret, {
      sub: "00000000-0000-4000-a000-0000000000c3",
      appMetadata: { role: "super_admin" },
    });
    for (const token of [stack.keys.adminJwt, legacy]) {
      const me = await callAs(stack, "admin-api", token);
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.isAdmin, true);
      const cancel = await callAs(stack, "cancel-batch", token);
      assert.equal(cancel.status, 404, "verified, an admin, and no such batch");
    }
    const started = await callAs(stack, "start-batch", legacy);
    assert.equal(started.status, 201, started.text);
    await assertBackgroundClean(stack);
    // The user token of a plain user is verified too, and is no admin.
    const user = await callAs(stack, "admin-api", stack.keys.userJwt);
    assert.equal(user.body.isAdmin, false);
  } finally {
    await stack.close();
  }
});

Deno.test("function auth: publishable and secret keys work where the anon and service-role keys do", async () => {
  const stack = await startTestStack();
  try {
    // supabase-js with the publishable key and the admin's session token calls a function.
    const page = clientFor(stack.url, stack.keys.publishableKey, stack.keys.adminJwt);
    const { data, error } = await page.functions.invoke("admin-api/me", { method: "GET" });
    assert.equal(error, null);
    assert.equal(data.isAdmin, true);

    // Storage: the secret key writes as the service role; the publishable key may not.
    const server = clientFor(stack.url, stack.keys.secretKey).storage.from("word-audio");
    const put = await server.upload("probe/new-keys.txt", new Blob(["probe"]), { upsert: true });
    assert.equal(put.error, null, put.error?.message);
    const anon = clientFor(stack.url, stack.keys.publishableKey).storage.from("word-audio");
    const refused = await anon.upload("probe/anon.txt", new Blob(["no"]), { upsert: true });
    assert.ok(refused.error, "the publishable key wrote to Storage");
    const signed = await server.createSignedUrl("probe/new-keys.txt", 60);
    assert.equal(signed.error, null);
    const res = await fetch(signed.data!.signedUrl);
    assert.equal(await res.text(), "probe");
  } finally {
    await stack.close();
  }
});
