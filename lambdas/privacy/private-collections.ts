/**
 * Where a user's private items live, so erasure finds them without a table scan: every private
 * collection the platform writes (each module exports its name), plus one messages partition per
 * chat session, found through the sessions partition. A new private collection must be added
 * here; the local-cloud erasure test scans the raw table afterwards and fails on anything left.
 */
import { ADMISSION_COLLECTION } from '../admission/admission-items.js';
import { APPROVALS_COLLECTION } from '../agent/approvals.js';
import { CONNECTION_COLLECTIONS } from '../connections/connections.js';
import { MESSAGES_COLLECTION, SESSIONS_COLLECTION } from '../conversations/chat-sessions.js';
import { DOCUMENTS_COLLECTION } from '../documents/document-library.js';
import { IDEMPOTENCY_COLLECTION } from '../http/idempotency.js';
import { MEMORY_COLLECTION } from '../memory/long-term-memory.js';
import { USAGE_RECORDS_COLLECTION } from '../metering/usage-keys.js';

/** Usage keeps its cost after erasure: these move to the tenant's pseudonymous usage, not away. */
export const PSEUDONYMISED_COLLECTIONS = [USAGE_RECORDS_COLLECTION] as const;

/** Private collections erased outright (single partitions, no segments). */
export const ERASED_COLLECTIONS = [
  SESSIONS_COLLECTION,
  MEMORY_COLLECTION,
  DOCUMENTS_COLLECTION,
  APPROVALS_COLLECTION,
  IDEMPOTENCY_COLLECTION,
  ADMISSION_COLLECTION,
  ...CONNECTION_COLLECTIONS,
] as const;

/** Private collections with one partition per chat session (`messages#<sessionId>`). */
export const PER_SESSION_COLLECTION = MESSAGES_COLLECTION;
