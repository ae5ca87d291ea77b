import { refreshTokenStoreContract, sqlRefreshTokenBackend } from './refresh-token.contract';

refreshTokenStoreContract('SQL on SQLite', () => sqlRefreshTokenBackend('embedded'));
