// A request body as text, read as it arrives, up to a limit (a chunked body has no length to
// trust). Past the limit the rest is read on and dropped, up to a cap, so the client is still
// listening when the 413 comes instead of meeting a reset connection mid-send.
const MAX_DRAIN_BYTES = 16 * 1024 * 1024

/** The body's bytes, or null when it is larger than maxBytes. */
export async function readBoundedBytes(request: Request, maxBytes: number): Promise<Buffer | null> {
  if (!request.body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > MAX_DRAIN_BYTES) break // past this the connection is cut: no endless reading
    if (size <= maxBytes) chunks.push(chunk)
  }
  return size > maxBytes ? null : Buffer.concat(chunks)
}

/** The body as UTF-8 text, or null when it is larger than maxBytes. */
export async function readBoundedText(request: Request, maxBytes: number): Promise<string | null> {
  return (await readBoundedBytes(request, maxBytes))?.toString('utf8') ?? null
}
