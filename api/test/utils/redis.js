"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.redisTestUrl = void 0;
exports.createTestRedis = createTestRedis;
const node_crypto_1 = require("node:crypto");
const ioredis_1 = require("ioredis");
/** The Redis the tests use: `TEST_REDIS_URL`, else the local default. */
const redisTestUrl = () => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
exports.redisTestUrl = redisTestUrl;
function createTestRedis() {
    const prefix = `t:${(0, node_crypto_1.randomBytes)(6).toString('hex')}:`;
    const clients = [];
    const client = () => {
        const redis = new ioredis_1.Redis((0, exports.redisTestUrl)(), { lazyConnect: false });
        clients.push(redis);
        return redis;
    };
    const cleanup = async () => {
        const admin = client();
        const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
        let cursor = '0';
        do {
            const [next, keys] = await admin.scan(cursor, 'MATCH', match, 'COUNT', 500);
            if (keys.length > 0)
                await admin.unlink(...keys);
            cursor = next;
        } while (cursor !== '0');
        await Promise.all(clients.map(quit));
    };
    return { prefix, client, cleanup };
}
/** Quits politely; a connection already closed (or never opened) is just dropped. */
async function quit(redis) {
    if (redis.status === 'end')
        return;
    try {
        await redis.quit();
    }
    catch {
        redis.disconnect();
    }
}
//# sourceMappingURL=redis.js.map