import { rateLimiterContract } from './rate-limiter.contract';
import { createMemoryRateLimiterFactory } from './rate-limiter.memory';

// The memory backend is the factory itself, so "the same backend" is the same factory object.
const factory = createMemoryRateLimiterFactory();
afterAll(() => factory.dispose());

rateLimiterContract('memory', async () => ({ factory, cleanup: async () => {} }));
