// Unit tests of the admin page's failure groups (admin/src/app/failure_groups.ts): grouped by the
// reason after the retry preamble, most frequent first, each failure named by word and kind, a
// few per group.

import assert from "node:assert/strict";
import { failureReason, groupFailures, wordOf } from "../../admin/src/app/failure_groups.ts";
import { makeSegment } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

const BAD_GATEWAY = "Cartesia answered 502: Bad gateway";
const BAD_VOICE = "Cartesia answered 422: voice.id: no such voice";

function failed(n: number, kind: "word" | "definition", error: string, text = `text ${n}`) {
  return { ...makeSegment(n, "failed", n), kind, text, word_id: `w${n}`, last_error: error };
}

test("failureReason: the retry preamble goes, the cause stays; none recorded is said", () => {
  assert.equal(
    failureReason(`gave up after 3 attempts (maxRetries=2): ${BAD_GATEWAY}`),
    BAD_GATEWAY,
  );
  assert.equal(
    failureReason(`gave up after 1 attempt (maxRetries=0): ${BAD_GATEWAY}`),
    BAD_GATEWAY,
  );
  assert.equal(failureReason(BAD_VOICE), BAD_VOICE);
  assert.equal(failureReason(null), "no reason was recorded");
});

test("groupFailures: one group per reason, counted, most frequent first, capped items", () => {
  const segs = [
    failed(1, "word", BAD_VOICE, "apple"),
    ...[2, 3, 4, 5].map((n) =>
      failed(n, "definition", `gave up after ${n} attempts (maxRetries=9): ${BAD_GATEWAY}`)
    ),
  ];
  const names = new Map([["w2", "banana"], ["w3", "cherry"]]);
  const groups = groupFailures(segs, (id) => names.get(id), 2);
  assert.deepEqual(groups.map((g) => [g.reason, g.count]), [[BAD_GATEWAY, 4], [BAD_VOICE, 1]]);
  assert.deepEqual(groups[0].items.map((i) => [i.word, i.kind]), [
    ["banana", "definition"],
    ["cherry", "definition"],
  ]);
  assert.deepEqual(groups[1].items.map((i) => [i.word, i.kind]), [["apple", "word"]]);
});

test("wordOf: a word segment is its own name; others look theirs up, or say they cannot", () => {
  assert.equal(wordOf(failed(1, "word", "x", "apple"), () => undefined), "apple");
  assert.equal(wordOf(failed(2, "definition", "x"), () => "banana"), "banana");
  assert.equal(wordOf(failed(3, "definition", "x"), () => undefined), "a word of another grade");
});
