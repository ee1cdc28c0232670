// admin-api's words read, paged: GET /admin-api/words?grade&q&state&limit&after answers
// { words, nextCursor, total }; pages follow each other without gap or repeat, q and state
// filter, and every bad parameter is a 400 naming it.
import assert from "node:assert/strict";
import { adminHeaders, startTestStack, type TestStack } from "../helpers/stack.ts";
import { createBatch } from "../helpers/batches.ts";

interface WordsAnswer {
  words: { id: string; word: string; grade: number; segments: Record<string, { state: string }> }[];
  nextCursor: string | null;
  total: number;
}

async function get(stack: TestStack, query: string) {
  const res = await fetch(`${stack.url}/functions/v1/admin-api/words?${query}`, {
    headers: adminHeaders(stack),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("admin-api words: pages, search, state filter and 400s", async () => {
  const stack = await startTestStack();
  try {
    const grade = 7;
    const expected = await stack.sql`
      select id::text, word from public.words where grade = ${grade} order by word, id`;
    assert.ok(expected.length > 30, "precondition: grade 7 has more words than three pages of 10");

    // Every page of 10, following nextCursor: the grade's words in order, each once.
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await get(stack, `grade=${grade}&limit=10${after ? `&after=${after}` : ""}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const body = res.body as WordsAnswer;
      assert.equal(body.total, expected.length);
      assert.ok(body.words.length <= 10);
      seen.push(...body.words.map((w) => w.id));
      after = body.nextCursor;
      if (after === null) break;
    }
    assert.equal(after, null, "the last page says so");
    assert.deepEqual(seen, expected.map((w) => w.id));

    // Each word carries its kinds' states and texts, as before.
    const first = (await get(stack, `grade=${grade}&limit=1`)).body as WordsAnswer;
    assert.deepEqual(Object.keys(first.words[0].segments), ["word", "definition", "sentence"]);
    assert.equal(first.words[0].segments.word.state, "missing");

    // q: a substring, any case; LIKE's wildcards are taken literally.
    const needle = expected[3].word.slice(1, 4).toUpperCase();
    const found = (await get(stack, `grade=${grade}&q=${encodeURIComponent(needle)}`))
      .body as WordsAnswer;
    const matching = expected.filter((w) => w.word.toLowerCase().includes(needle.toLowerCase()));
    assert.deepEqual(found.words.map((w) => w.id), matching.map((w) => w.id));
    assert.equal(found.total, matching.length);
    assert.equal(((await get(stack, `grade=${grade}&q=%25`)).body as WordsAnswer).total, 0);

    // state: queue three words' word audio; they alone are queued, the rest still missing.
    const three = expected.slice(5, 8).map((w) => w.id);
    await createBatch(stack.sql, { wordIds: three }, { kinds: ["word"] });
    const queued = (await get(stack, `grade=${grade}&state=queued`)).body as WordsAnswer;
    assert.deepEqual(queued.words.map((w) => w.id).sort(), [...three].sort());
    assert.equal(queued.total, 3);
    assert.equal(
      ((await get(stack, `grade=${grade}&state=missing`)).body as WordsAnswer).total,
      expected.length,
      "every word still has a missing kind (its definition)",
    );
    assert.equal(((await get(stack, `grade=${grade}&state=ready`)).body as WordsAnswer).total, 0);

    const bad: [string, string][] = [
      ["", "grade"],
      ["grade=x", "grade"],
      [`grade=${grade}&limit=0`, "limit"],
      [`grade=${grade}&limit=201`, "limit"],
      [`grade=${grade}&state=bogus`, "state"],
      [`grade=${grade}&after=not-a-cursor`, "after"],
      [`grade=${grade}&q=${"x".repeat(101)}`, "q"],
    ];
    for (const [query, field] of bad) {
      const res = await get(stack, query);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.fields[0].field, field, query);
    }
  } finally {
    await stack.close();
  }
});
