/**
 * What the chat view shows: the conversation on screen and its entries. Every change that comes
 * from a stream or a load carries the conversation it belongs to (a number that grows each time
 * the person starts a new conversation or reopens an earlier one), so a late event of a stream
 * the person left — or a history that arrives after they moved on — changes nothing on screen
 * and never replaces the session their next message goes to.
 */
import type { AgentTurn } from './chat-turn.js';

export type Entry =
  | { readonly role: 'user'; readonly text: string }
  | {
      readonly role: 'agent';
      readonly turn: AgentTurn;
      /** Streamed while the person watched (announced as it arrives), not loaded with a history. */
      readonly live?: boolean;
    };

export interface ChatLog {
  /** Which conversation is on screen: changes tagged with another one are ignored. */
  readonly conversation: number;
  /** The session the next message continues; undefined until the API names a new one. */
  readonly sessionId?: string;
  readonly entries: readonly Entry[];
}

export type ChatChange =
  /** Start a new conversation (no session) or reopen an earlier one (its history follows). */
  | { readonly kind: 'open'; readonly sessionId?: string }
  /** The history of the reopened session, placed before anything sent since. */
  | { readonly kind: 'history'; readonly conversation: number; readonly entries: readonly Entry[] }
  /** The person sent `text`; the agent's answer starts. */
  | { readonly kind: 'asked'; readonly conversation: number; readonly text: string; readonly turn: AgentTurn }
  /** The answer being streamed, and the session the API put it in once it says so. */
  | {
      readonly kind: 'answer';
      readonly conversation: number;
      readonly turn: AgentTurn;
      readonly sessionId?: string;
    };

export const EMPTY_LOG: ChatLog = { conversation: 0, entries: [] };

/** The log after `change`. */
export function chatLogAfter(log: ChatLog, change: ChatChange): ChatLog {
  if (change.kind === 'open') {
    return { conversation: log.conversation + 1, sessionId: change.sessionId, entries: [] };
  }
  if (change.conversation !== log.conversation) return log;
  switch (change.kind) {
    case 'history':
      return { ...log, entries: [...change.entries, ...log.entries] };
    case 'asked':
      return {
        ...log,
        entries: [
          ...log.entries,
          { role: 'user', text: change.text },
          { role: 'agent', turn: change.turn, live: true },
        ],
      };
    case 'answer':
      return {
        ...log,
        sessionId: change.sessionId ?? log.sessionId,
        // The answer being streamed is the last entry.
        entries: [...log.entries.slice(0, -1), { role: 'agent', turn: change.turn, live: true }],
      };
  }
}
