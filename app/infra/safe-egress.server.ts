// Outbound HTTP to addresses merchants choose (webhook receivers), without letting them reach the
// portal's own network: loopback, private and link-local ranges, cloud metadata, internal names.
// A URL is parsed the way the WHATWG URL parser normalizes it (127.1, 2130706433 and 0x7f.1 are all
// 127.0.0.1), a name is resolved and refused if ANY of its addresses is refused, and the request
// then connects only to the addresses that were checked: its `lookup` hands them back instead of
// asking DNS again, so a name cannot rebind to 127.0.0.1 between the check and the connect.
import dns from 'node:dns/promises'
import http from 'node:http'
import https from 'node:https'
import { BlockList, isIP, type LookupFunction } from 'node:net'

export type EgressRefusal = 'NOT_HTTP' | 'BAD_URL' | 'PRIVATE_ADDRESS' | 'UNRESOLVABLE'
export type EgressFailure = EgressRefusal | 'TIMEOUT' | 'TLS_FAILED' | 'CONNECTION_FAILED'
export type ResolvedAddress = { address: string; family: 4 | 6 }
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>

export type EgressOptions = {
  /** Operator setting (EGRESS_ALLOW_PRIVATE): development and tests deliver to local receivers. */
  allowPrivate: boolean
  /** Name resolution; the system resolver unless a test injects one. */
  resolve?: Resolver
}

export type EgressCheck = { ok: true; url: URL; host: string; addresses: ResolvedAddress[] } | { ok: false; reason: EgressRefusal }

function blockList(family: 'ipv4' | 'ipv6', subnets: [string, number][]) {
  const list = new BlockList()
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, family)
  return list
}

const BLOCKED_V4 = blockList('ipv4', [
  ['0.0.0.0', 8], // unspecified, "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
])

const BLOCKED_V6 = blockList('ipv6', [
  ['::', 96], // unspecified, loopback, deprecated IPv4-compatible
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo: tunnels to an IPv4 address we cannot check
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
])

// Everything outside global unicast is reserved or local; refused unless it embeds a public IPv4.
const GLOBAL_UNICAST_V6 = blockList('ipv6', [['2000::', 3]])

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail allowed), or null. */
function ipv6Groups(address: string): number[] | null {
  if (isIP(address) !== 6) return null
  let text = address
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted[2]!.split('.').map(Number) as [number, number, number, number]
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.split('::') as [string, string | undefined]
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : [])
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  const groups = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right]
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null
}

const v4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`

/** The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4): judged as that address. */
function embeddedIpv4(groups: number[]): string | null {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number]
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return v4(g6, g7) // ::ffff:0:0/96
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return v4(g6, g7) // 64:ff9b::/96
  if (g0 === 0x2002) return v4(g1, g2) // 6to4 2002::/16
  return null
}

/** Whether an IP address is on the public internet (not loopback, private, link-local, reserved…). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return !BLOCKED_V4.check(address, 'ipv4')
  const groups = ipv6Groups(address)
  if (!groups) return false
  // An IPv4 address mapped into IPv6 is refused outright: no receiver needs one, and stacks differ
  // on where such an address really goes.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return false
  const embedded = embeddedIpv4(groups)
  if (embedded) return isPublicAddress(embedded)
  return !BLOCKED_V6.check(address, 'ipv6') && GLOBAL_UNICAST_V6.check(address, 'ipv6')
}

// Names that only mean something inside a network: refused without asking DNS, so they are
// refused even where they do not resolve today. A single label (`metadata`, `redis`) is expanded
// by the resolver's search domains to an internal host.
function internalName(host: string) {
  const name = host.replace(/\.$/, '')
  return !name.includes('.') || /(^|\.)(localhost|internal|local|home\.arpa|localdomain)$/.test(name)
}

const systemResolver: Resolver = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }))

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason)
    if (signal.aborted) return abort()
    signal.addEventListener('abort', abort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

/** Whether a URL may be requested, and the checked addresses to connect to. */
export async function checkEgressUrl(input: string | URL, options: EgressOptions & { signal?: AbortSignal }): Promise<EgressCheck> {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return { ok: false, reason: 'BAD_URL' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'NOT_HTTP' }
  if (!url.hostname || url.username || url.password) return { ok: false, reason: 'BAD_URL' }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const family = isIP(host)
  let addresses: ResolvedAddress[]
  if (family === 4 || family === 6) {
    addresses = [{ address: host, family }]
  } else {
    if (!options.allowPrivate && internalName(host)) return { ok: false, reason: 'PRIVATE_ADDRESS' }
    try {
      addresses = await untilAborted((options.resolve ?? systemResolver)(host), options.signal)
    } catch {
      return { ok: false, reason: 'UNRESOLVABLE' }
    }
    if (addresses.length === 0 || addresses.some((a) => isIP(a.address) !== a.family)) return { ok: false, reason: 'UNRESOLVABLE' }
  }
  if (!options.allowPrivate && !addresses.every((a) => isPublicAddress(a.address))) return { ok: false, reason: 'PRIVATE_ADDRESS' }
  return { ok: true, url, host, addresses }
}

/**
 * A `lookup` for http(s).request that answers with the checked addresses only, whatever name it is
 * asked for: the socket cannot end up anywhere DNS says later. (IP literals never reach it.)
 */
export function pinnedLookup(addresses: ResolvedAddress[], options: EgressOptions): LookupFunction {
  // Checked already; checked again here so no caller can hand an unchecked address through.
  const checked = addresses.filter((a) => isIP(a.address) === a.family && (options.allowPrivate || isPublicAddress(a.address)))
  return (_hostname, lookupOptions, callback) => {
    const wanted = lookupOptions.family === 4 || lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 6 || lookupOptions.family === 'IPv6' ? 6 : 0
    const usable = checked.filter((a) => wanted === 0 || a.family === wanted)
    const first = usable[0]
    if (!first) return callback(Object.assign(new Error('no checked address'), { code: 'ENOTFOUND' }), '', 0)
    if (lookupOptions.all) callback(null, usable)
    else callback(null, first.address, first.family)
  }
}

export type EgressRequest = { method: string; headers: Record<string, string>; body?: string; timeoutMs: number }
/** `detail` is the raw error, for the server log only: it can describe the network it probed. */
export type EgressResponse = { ok: true; status: number } | { ok: false; reason: EgressFailure; detail?: string }

function failureOf(error: unknown, signal: AbortSignal): EgressFailure {
  if (signal.aborted) return 'TIMEOUT'
  const code = String((error as NodeJS.ErrnoException | undefined)?.code ?? '')
  return /CERT|TLS|SSL/.test(code) ? 'TLS_FAILED' : 'CONNECTION_FAILED'
}

/**
 * One request to a checked address. Redirects are not followed (a 3xx is just the answer), the
 * body of the answer is not read, and the whole exchange (lookup included) has one time limit.
 */
export async function egressRequest(input: string, request: EgressRequest, options: EgressOptions): Promise<EgressResponse> {
  const signal = AbortSignal.timeout(request.timeoutMs)
  const check = await checkEgressUrl(input, { ...options, signal })
  if (!check.ok) return { ok: false, reason: check.reason === 'UNRESOLVABLE' && signal.aborted ? 'TIMEOUT' : check.reason }
  const { url, host, addresses } = check
  const body = request.body ?? ''
  return new Promise<EgressResponse>((resolve) => {
    try {
      const send = url.protocol === 'https:' ? https.request : http.request
      const req = send(
        {
          protocol: url.protocol,
          host,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers: { ...request.headers, 'Content-Length': String(Buffer.byteLength(body)) },
          // SNI and the certificate check stay on the name; only the socket goes to the checked address.
          ...(url.protocol === 'https:' && !isIP(host) ? { servername: host } : {}),
          lookup: pinnedLookup(addresses, options),
          agent: false,
          signal,
        },
        (res) => {
          resolve({ ok: true, status: res.statusCode ?? 0 })
          res.destroy()
        },
      )
      req.on('error', (error) => resolve({ ok: false, reason: failureOf(error, signal), detail: error.message }))
      req.end(body)
    } catch (error) {
      resolve({ ok: false, reason: failureOf(error, signal), detail: (error as Error).message })
    }
  })
}
