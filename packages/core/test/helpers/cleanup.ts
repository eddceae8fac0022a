// One afterEach for every integration file: clients first (so they do not start reconnecting to a
// node that is shutting down), then the nodes.

import { closeClients } from './clients.js';
import { stopServers } from './server.js';

export async function cleanup(): Promise<void> {
  await closeClients();
  await stopServers();
}
