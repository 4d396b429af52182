export default async function globalTeardown() {
  await Promise.all([
    ...(globalThis.__EMBEDDED_PG__ ?? []).map((pg) => pg.stop()),
    ...(globalThis.__REDIS_SERVERS__ ?? []).map((redis) => redis.remove()),
  ]);
}
