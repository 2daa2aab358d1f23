/**
 * API Gateway's authorizer cache, as the local gateway keeps it: a TOKEN authorizer's answer is
 * kept per token for the authorizer's `AuthorizerResultTtlInSeconds` and reused for any route of
 * the API (its policy is checked against each call's method ARN); a refusal is not kept.
 */
import type { APIGatewayAuthorizerResult } from 'aws-lambda';

interface Entry {
  readonly answer: APIGatewayAuthorizerResult;
  readonly expiresAt: number;
}

/** Past this many entries, expired ones are dropped before adding another. */
const SWEEP_ABOVE = 10_000;

export class AuthorizerCache {
  /** How many times the authorizer was invoked (a miss) and an answer was reused (a hit). */
  readonly counts = { hits: 0, misses: 0 };
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token's cached answer, or `authorize`'s (kept when the TTL is positive). */
  async answer(
    token: string,
    authorize: () => Promise<APIGatewayAuthorizerResult>,
  ): Promise<APIGatewayAuthorizerResult> {
    const cached = this.#entries.get(token);
    if (cached !== undefined && cached.expiresAt > this.now()) {
      this.counts.hits += 1;
      return cached.answer;
    }
    this.counts.misses += 1;
    const answer = await authorize();
    if (this.ttlSeconds > 0) this.#keep(token, answer);
    return answer;
  }

  #keep(token: string, answer: APIGatewayAuthorizerResult): void {
    if (this.#entries.size >= SWEEP_ABOVE) {
      for (const [key, entry] of this.#entries) if (entry.expiresAt <= this.now()) this.#entries.delete(key);
    }
    this.#entries.set(token, { answer, expiresAt: this.now() + this.ttlSeconds * 1000 });
  }
}
