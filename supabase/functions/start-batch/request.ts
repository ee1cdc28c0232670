// The start-batch request body. Either wordIds or grade; kinds default to all three; only
// missing or stale audio unless missingOnly is false.
import { z } from "zod";
import { MAX_WORD_IDS } from "../_shared/config.ts";

export const KINDS = ["word", "definition", "sentence"] as const;

export const startBatchBody = z.strictObject({
  wordIds: z.array(z.guid({ error: "not a uuid" }), {
    error: "must be an array of word ids (uuids)",
  })
    .min(1, { error: "must name at least one word id" })
    .max(MAX_WORD_IDS, { error: `at most ${MAX_WORD_IDS} word ids per batch; split the request` })
    .optional(),
  grade: z.number({ error: "must be a whole number" }).int({ error: "must be a whole number" })
    .min(0, { error: "must be 0 or more" }).max(32767, { error: "too large" }).optional(),
  kinds: z.array(z.enum(KINDS, { error: "must be word, definition or sentence" }), {
    error: "must be an array of kinds: word, definition, sentence",
  }).min(1, { error: "must name at least one kind" }).optional(),
  missingOnly: z.boolean({ error: "must be true or false" }).default(true),
  voiceId: z.string({ error: "must be a string" }).regex(/^[A-Za-z0-9._-]{1,100}$/, {
    error: "must be a Cartesia voice id (letters, digits, . _ -)",
  }).optional(),
}, { error: "must be a JSON object" }).superRefine((b, ctx) => {
  if ((b.wordIds === undefined) === (b.grade === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [b.wordIds === undefined ? "wordIds" : "grade"],
      message: "give exactly one of wordIds (an array of uuids) or grade (a number)",
    });
  }
});
