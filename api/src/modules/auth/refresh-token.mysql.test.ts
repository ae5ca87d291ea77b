import { refreshTokenStoreContract, sqlRefreshTokenBackend } from './refresh-token.contract';

refreshTokenStoreContract('SQL on MariaDB/MySQL', () => sqlRefreshTokenBackend('real'));
