export default async function globalTeardown() {
  await Promise.all((globalThis.__EMBEDDED_PG__ ?? []).map((pg) => pg.stop()));
}
