// A word deleted while a start is queueing its segments leaves no segment behind. audio_segments
// has no foreign keys (audio.check_segment_references checks a statement's new rows at once), so
// nothing locks the word rows a start reads: a delete of words waits for the advisory lock every
// start holds, and a start waits for a delete in progress. Without that wait the delete's cascade
// runs before the start commits, cannot see its segments, and they outlive their word.
import assert from "node:assert/strict";
import { addWords, createBatch } from "../helpers/batches.ts";
import { sql as client, withTestDatabase } from "../helpers/pg.ts";
import { waitFor } from "../helpers/stack.ts";

const GRADE = 94;

// Whether a session running `query` comes to wait for an advisory lock within 3 s.
function waitsForTheLock(db: ReturnType<typeof client>, query: string): Promise<boolean> {
  return waitFor(`a session waiting for the lock running ${query}`, async () => {
    const [row] = await db`select count(*)::int as n from pg_stat_activity
      where query like ${query + "%"} and wait_event_type = 'Lock' and wait_event = 'advisory'`;
    return row.n > 0;
  }, 3_000).then(() => true, () => false);
}

const orphans = (db: ReturnType<typeof client>) =>
  db`select count(*)::int as n from public.audio_segments as s
    where not exists (select 1 from public.words as w where w.id = s.word_id)`;

Deno.test("a word deleted during a start waits for it, then takes the start's segments with it", async () => {
  await withTestDatabase(async (url) => {
    const a = client(url);
    const b = client(url);
    let commit!: () => void;
    const held = new Promise<void>((r) => commit = r);
    try {
      const [gone, kept] = await addWords(a, GRADE, ["lantern", "pebble"]);
      let queued = 0;
      const start = a.begin(async (tx) => {
        queued = (await createBatch(tx, { wordIds: [gone, kept] })).queued;
        await held;
      });
      // The start has queued (its transaction is open) before the delete begins.
      await waitFor("the start's batch", () => queued > 0, 10_000);
      assert.equal(queued, 2, "the start queued both words");

      // (A postgres.js query is sent when awaited: the async function sends it now.)
      const deleting = (async () =>
        await b.unsafe(`delete from public.words where id = '${gone}'`))();
      const waited = await waitsForTheLock(a, "delete from public.words");
      commit();
      await start;
      await deleting;

      assert.equal((await orphans(a))[0].n, 0, "no segment names a deleted word");
      assert.ok(waited, "the delete waited for the start");
      const [left] = await a`select count(*)::int as n from public.audio_segments
        where word_id = ${kept}`;
      assert.equal(left.n, 1, "the other word's segment stays");
    } finally {
      commit();
      await a.end({ timeout: 5 });
      await b.end({ timeout: 5 });
    }
  });
});

Deno.test("a start begun during a word's delete waits for it and queues only the words left", async () => {
  await withTestDatabase(async (url) => {
    const a = client(url);
    const b = client(url);
    let commit!: () => void;
    const held = new Promise<void>((r) => commit = r);
    try {
      const [gone, kept] = await addWords(a, GRADE, ["saddle", "orchard"]);
      let deleted = false;
      const deleting = b.begin(async (tx) => {
        await tx`delete from public.words where id = ${gone}`;
        deleted = true;
        await held;
      });
      await waitFor("the delete", () => deleted, 10_000);
      assert.ok(deleted, "the delete ran (its transaction is open)");

      const starting = createBatch(a, { wordIds: [gone, kept] });
      const waited = await waitsForTheLock(b, "select * from audio.create_batch");
      commit();
      await deleting;
      const batch = await starting;

      assert.equal((await orphans(a))[0].n, 0, "no segment names a deleted word");
      assert.equal(batch.queued, 1, "the start queued only the word left");
      assert.ok(waited, "the start waited for the delete");
    } finally {
      commit();
      await a.end({ timeout: 5 });
      await b.end({ timeout: 5 });
    }
  });
});
