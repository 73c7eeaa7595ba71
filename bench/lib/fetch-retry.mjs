// Between sections a pooled keep-alive connection can sit idle until the server (wrangler's
// proxy, the emulator) closes it; the next fetch on it fails with UND_ERR_SOCKET "other side
// closed" (or EPIPE while writing the request) before the server read it. The bench retries such
// a fetch once, on a new connection, and counts the retries for the report.
export const retried = { count: 0 };

export function installFetchRetry() {
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    try {
      return await original(input, init);
    } catch (e) {
      if (!['UND_ERR_SOCKET', 'EPIPE'].includes(e?.cause?.code)) throw e;
      retried.count++;
      return original(input, init);
    }
  };
}
