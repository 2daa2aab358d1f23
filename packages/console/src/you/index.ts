/** The "You" section: what a signed-in person does for themselves (chat, approvals, connections, memory, documents, export). */
import type { View } from '../views.js';
import { ApprovalsView } from './approvals-view.js';
import { ChatView } from './chat-view.js';
import { ConnectionsView } from './connections-view.js';
import { DocumentsView } from './documents-view.js';
import { ExportView } from './export-view.js';
import { MemoryView } from './memory-view.js';
import { OAuthCallbackView } from './oauth-callback-view.js';
import './you.css';

export const YOU_VIEWS: readonly View[] = [
  { path: 'chat', component: ChatView, nav: { label: 'Chat', section: 'You' } },
  { path: 'approvals', component: ApprovalsView, nav: { label: 'Approvals', section: 'You' } },
  { path: 'connections', component: ConnectionsView, nav: { label: 'Connections', section: 'You' } },
  { path: 'memory', component: MemoryView, nav: { label: 'Memory', section: 'You' } },
  { path: 'documents', component: DocumentsView, nav: { label: 'Documents', section: 'You' } },
  { path: 'export', component: ExportView, nav: { label: 'Export my data', section: 'You' } },
  { path: 'oauth/callback', component: OAuthCallbackView, resumesSignIn: true },
];
