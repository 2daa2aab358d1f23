/**
 * The audit digester: for one tenant, signs a digest of every chain's head when any head has
 * moved since the last digest (see audit-digest.ts). Before it signs, it checks that each chain
 * still holds the record the last digest saw and continues from it unbroken, so a trail rewritten
 * between two digests is refused, never signed. Its progress is one state item in the tenant's
 * audit partitions (`<tenant>#a#audit#digest`), moved by a conditional swap: a digest is claimed
 * (state and the signed digest, as `pending`) before it is stored, so a crash after the claim is
 * finished by the next run with the same bytes, and two runs can never both claim a number.
 */

import type { DigestStore } from '../audit-store/digest-store.js';
import type { GuardrailTable } from '../guardrails/guardrail-table.js';
import type { ItemAddress } from '../tenancy/scoped-table.js';
import { CHAIN_START, GENESIS_HASH, verifyAuditChain } from './audit-chain.js';
import {
  type AuditDigestBody,
  DIGEST_SIGNING_ALGORITHM,
  type DigestChainHead,
  digestBodyText,
  digestHash,
  type SignedDigest,
  SignedDigestSchema,
} from './audit-digest.js';
import { AUDIT_CHAINS, type AuditTrail } from './audit-trail.js';

/** Signs a digest body (KMS `Sign`, RAW, ECDSA_SHA_256: see audit-store/digest-keys.ts). */
export interface DigestSigner {
  readonly keyId: string;
  sign(text: string): Promise<string>;
}

const STATE_ADDRESS: ItemAddress = {
  visibility: 'audit',
  collection: 'audit',
  segments: ['digest'],
  sk: 'state',
};

interface DigestState {
  /** The last digest number claimed (0: none yet). */
  readonly seq: number;
  readonly digestHash: string;
  /** Every chain's head as that digest saw it. */
  readonly chains: readonly DigestChainHead[];
  /** A claimed digest not yet confirmed stored. */
  readonly pending?: SignedDigest;
}

const FIRST_STATE: DigestState = {
  seq: 0,
  digestHash: GENESIS_HASH,
  chains: Array.from({ length: AUDIT_CHAINS }, (_, chain) => ({ chain, ...CHAIN_START })),
};

export type DigestOutcome =
  /** No head moved since the last digest. */
  | 'unchanged'
  | 'signed'
  /** A chain no longer continues from what the last digest saw: nothing was signed. */
  | 'refused';

export interface TenantDigestTarget {
  readonly tenantId: string;
  /** The tenant's trail through its audit writer session. */
  readonly trail: AuditTrail;
  /** The same session's table, for the digester's state item. */
  readonly table: Pick<GuardrailTable, 'get' | 'transactWrite'>;
  readonly store: Pick<DigestStore, 'put'>;
}

export class AuditDigester {
  constructor(
    private readonly signer: DigestSigner,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async digest(target: TenantDigestTarget): Promise<DigestOutcome> {
    let state = await readState(target);
    if (state.pending !== undefined) state = await finish(target, state, state.pending);
    const heads = await Promise.all(
      Array.from({ length: AUDIT_CHAINS }, async (_, chain): Promise<DigestChainHead> => {
        const head = (await target.trail.head(chain)) ?? CHAIN_START;
        return { chain, seq: head.seq, hash: head.hash };
      }),
    );
    const moved = heads.filter((head, chain) => {
      const last = state.chains[chain] ?? { chain, ...CHAIN_START };
      return head.seq !== last.seq || head.hash !== last.hash;
    });
    if (moved.length === 0) return 'unchanged';
    for (const head of moved) {
      const last = state.chains[head.chain] ?? { chain: head.chain, ...CHAIN_START };
      if (!(await continuesFrom(target.trail, last, head))) return 'refused';
    }
    const body: AuditDigestBody = {
      format: 1,
      tenantId: target.tenantId,
      seq: state.seq + 1,
      at: this.now().toISOString(),
      previousDigestHash: state.digestHash,
      chains: heads,
      keyId: this.signer.keyId,
      signingAlgorithm: DIGEST_SIGNING_ALGORITHM,
    };
    const text = digestBodyText(body);
    const signed: SignedDigest = { body: text, signature: await this.signer.sign(text) };
    const claimed: DigestState = {
      seq: body.seq,
      digestHash: digestHash(signed),
      chains: heads,
      pending: signed,
    };
    // Another run claimed this number first: it signs what it saw; this run stops.
    if (!(await swapState(target, state.seq, claimed))) return 'unchanged';
    await finish(target, claimed, signed);
    return 'signed';
  }
}

/** Stores a claimed digest and clears the claim. */
async function finish(
  target: TenantDigestTarget,
  state: DigestState,
  signed: SignedDigest,
): Promise<DigestState> {
  await target.store.put(state.seq, signed);
  const { pending: _pending, ...settled } = state;
  await swapState(target, state.seq, settled);
  return settled;
}

/** True when the chain still holds the record `last` names and runs unbroken from it to `head`. */
async function continuesFrom(
  trail: AuditTrail,
  last: DigestChainHead,
  head: DigestChainHead,
): Promise<boolean> {
  if (head.seq < last.seq) return false;
  if (last.seq === 0)
    return verifyAuditChain((await trail.chainRecords(head.chain)).slice(0, head.seq), head).ok;
  const records = (await trail.chainRecords(head.chain, last.seq)).slice(0, head.seq - last.seq + 1);
  const [anchor] = records;
  if (anchor === undefined || anchor.hash !== last.hash) return false;
  return verifyAuditChain(records, head, { seq: last.seq - 1, hash: anchor.prevHash }).ok;
}

async function readState(target: TenantDigestTarget): Promise<DigestState> {
  const item = await target.table.get(STATE_ADDRESS);
  if (item === undefined) return FIRST_STATE;
  const { seq, digestHash: hash, chains, pending } = item.attributes;
  const parsedPending = SignedDigestSchema.safeParse(pending);
  return {
    seq: Number(seq),
    digestHash: String(hash),
    chains: Array.isArray(chains) ? (chains as DigestChainHead[]) : FIRST_STATE.chains,
    ...(parsedPending.success ? { pending: parsedPending.data } : {}),
  };
}

/** Moves the state from digest `expectedSeq` to `next`; false when another run moved it first. */
async function swapState(
  target: TenantDigestTarget,
  expectedSeq: number,
  next: DigestState,
): Promise<boolean> {
  return target.table.transactWrite([
    {
      kind: 'swap',
      address: STATE_ADDRESS,
      set: {
        seq: next.seq,
        digestHash: next.digestHash,
        chains: next.chains.map(({ chain, seq, hash }) => ({ chain, seq, hash })),
        pending: next.pending ?? null,
      },
      expect: { seq: expectedSeq === 0 ? null : expectedSeq },
    },
  ]);
}
