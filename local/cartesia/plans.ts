// The stand-in's plans: each key's concurrency limit, changeable while the stand-in runs (a plan
// upgraded or cut mid-batch), and slots of a key held by "another client" (a second application
// sharing the key), which count against the plan like requests in flight but never end on their
// own. Only the stand-in's control routes and its server object change them.
import { PLAN_LIMITS, type PlanName } from "./protocol.ts";

/** A plan by name (free 2, pro 3, startup 5, scale 15) or a concurrency ≥ 1. */
export type Plan = PlanName | number;

export interface PlanState {
  /** Concurrent requests allowed. */
  limit: number;
  /** Slots another client of the key holds. */
  otherClient: number;
}

export function planLimit(plan: Plan): number {
  return typeof plan === "number" ? plan : PLAN_LIMITS[plan];
}

export class Plans {
  readonly #limits: Map<string, number>;
  readonly #other = new Map<string, number>();

  constructor(keys: Record<string, Plan>) {
    this.#limits = new Map(Object.entries(keys).map(([k, v]) => [k, planLimit(v)]));
  }

  /** Whether the key exists (an unknown key is answered 401). */
  has(key: string): boolean {
    return this.#limits.has(key);
  }

  limit(key: string): number {
    return this.#limits.get(key) ?? 0;
  }

  /** Slots of the key busy elsewhere: they count toward its plan. */
  otherClient(key: string): number {
    return this.#other.get(key) ?? 0;
  }

  /** Changes a key's plan and/or the slots another client holds; throws naming the bad field. */
  change(key: string, patch: { plan?: Plan; otherClient?: number }, where: string): PlanState {
    if (!this.#limits.has(key)) throw new Error(`${where}: key: no such key in the stand-in`);
    if (patch.plan !== undefined) {
      const limit = typeof patch.plan === "number" ? patch.plan : PLAN_LIMITS[patch.plan];
      if (!Number.isInteger(limit) || limit < 1) {
        throw new Error(
          `${where}: plan must be free, pro, startup, scale or a concurrency ≥ 1, got ${
            JSON.stringify(patch.plan)
          }`,
        );
      }
      this.#limits.set(key, limit);
    }
    if (patch.otherClient !== undefined) {
      const n = patch.otherClient;
      if (!Number.isInteger(n) || n < 0) {
        throw new Error(`${where}: otherClient must be a whole number ≥ 0, got ${n}`);
      }
      this.#other.set(key, n);
    }
    return this.state(key);
  }

  state(key: string): PlanState {
    return { limit: this.limit(key), otherClient: this.otherClient(key) };
  }

  /** Every key's plan, for GET /__standin/plan. */
  snapshot(): Record<string, PlanState> {
    return Object.fromEntries([...this.#limits.keys()].map((k) => [k, this.state(k)]));
  }
}
