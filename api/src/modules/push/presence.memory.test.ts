import { presenceContract } from './presence.contract';
import { createMemoryPresence, type MemoryPresenceHolds } from './presence.memory';

// Adapters standing for several instances share one state, as instances share one Redis.
const holds: MemoryPresenceHolds = new Map();
presenceContract('memory', async (options) => createMemoryPresence({ ...options, holds }));
