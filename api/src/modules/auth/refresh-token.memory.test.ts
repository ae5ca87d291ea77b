import { refreshTokenStoreContract } from './refresh-token.contract';
import { createMemoryRefreshTokenStore } from './refresh-token.memory';

refreshTokenStoreContract('memory', async () => {
  const store = createMemoryRefreshTokenStore();
  return { store, cleanup: () => store.dispose() };
});
