// The start-batch request body. Its scope is exactly one of wordIds (any number), grade, or
// all: true (every word of the catalog); kinds default to all three; only missing or stale audio
// unless missingOnly is false. dryRun: true answers what the batch would be and queues nothing.
import { z } from "zod";

export const KINDS = ["word", "definition", "sentence"] as const;

export const startBatchBody = z.strictObject({
  wordIds: z.array(z.guid({ error: "not a uuid" }), {
    error: "must be an array of word ids (uuids)",
  })
    .min(1, { error: "must name at least one word id" })
    .optional(),
  grade: z.number({ error: "must be a whole number" }).int({ error: "must be a whole number" })
    .min(0, { error: "must be 0 or more" }).max(32767, { error: "too large" }).optional(),
  all: z.literal(true, { error: "must be true (every word of the catalog), or left out" })
    .optional(),
  kinds: z.array(z.enum(KINDS, { error: "must be word, definition or sentence" }), {
    error: "must be an array of kinds: word, definition, sentence",
  }).min(1, { error: "must name at least one kind" }).optional(),
  missingOnly: z.boolean({ error: "must be true or false" }).default(true),
  voiceId: z.string({ error: "must be a string" }).regex(/^[A-Za-z0-9._-]{1,100}$/, {
    error: "must be a Cartesia voice id (letters, digits, . _ -)",
  }).optional(),
  dryRun: z.boolean({ error: "must be true (estimate only, queue nothing) or false" }).default(
    false,
  ),
}, { error: "must be a JSON object" }).superRefine((b, ctx) => {
  // Exactly one scope. Named: the one missing when none is given (wordIds), else each given
  // after the first.
  const given = (["wordIds", "grade", "all"] as const).filter((k) => b[k] !== undefined);
  if (given.length === 1) return;
  for (const field of given.length === 0 ? ["wordIds"] : given.slice(1)) {
    ctx.addIssue({
      code: "custom",
      path: [field],
      message: "give exactly one of wordIds (an array of uuids), grade (a number) or all (true)",
    });
  }
});

export type StartBatchBody = z.infer<typeof startBatchBody>;
