// A js-libp2p 3 peer for the C# interop tests (tests/LinqP2P.Libp2p.Tests/Interop). TCP + Noise + Yamux,
// identify, ping and an echo protocol. Speaks JSON lines: the first stdout line is
// {"event":"ready","peerId":..,"addrs":[..]}; commands arrive on stdin as {"id":N,"cmd":...} and each is
// answered with {"id":N,"ok":true,...} or {"id":N,"ok":false,"error":...}.
import { createInterface } from 'node:readline'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'

const ECHO = '/linq/test-echo/1.0.0'
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), ping: ping() }
})

await node.handle(ECHO, async (stream) => {
  for await (const chunk of stream) {
    if (!stream.send(chunk)) await stream.onDrain()
  }
  await stream.close()
}, { maxInboundStreams: 256 })

node.addEventListener('peer:identify', (evt) => {
  const d = evt.detail
  out({ event: 'identify', peer: d.peerId.toString(), agent: d.agentVersion, protocolVersion: d.protocolVersion, protocols: d.protocols })
})
node.addEventListener('peer:connect', (evt) => out({ event: 'connect', peer: evt.detail.toString() }))
node.addEventListener('peer:disconnect', (evt) => out({ event: 'disconnect', peer: evt.detail.toString() }))

async function echo (target, size) {
  const stream = await node.dialProtocol(target, ECHO)
  const data = new Uint8Array(size)
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 0xff
  const start = performance.now()
  const sending = (async () => {
    const chunk = 64 * 1024
    for (let o = 0; o < size; o += chunk) {
      if (!stream.send(data.subarray(o, Math.min(size, o + chunk)))) await stream.onDrain()
    }
    await stream.close()
  })()
  let received = 0
  let ok = true
  for await (const buf of stream) {
    const bytes = buf.subarray()
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== data[received + i]) { ok = false; break }
    }
    received += bytes.length
  }
  await sending
  return { received, intact: ok && received === size, ms: performance.now() - start }
}

async function run (msg) {
  switch (msg.cmd) {
    case 'dial': {
      const conn = await node.dial(multiaddr(msg.addr))
      return { peer: conn.remotePeer.toString(), encryption: conn.encryption, multiplexer: conn.multiplexer }
    }
    case 'ping': {
      const rtts = []
      for (let i = 0; i < (msg.count ?? 1); i++) rtts.push(await node.services.ping.ping(multiaddr(msg.addr)))
      return { rtts }
    }
    case 'echo':
      return echo(multiaddr(msg.addr), msg.size)
    case 'echoMany': {
      const results = await Promise.all(Array.from({ length: msg.streams }, () => echo(multiaddr(msg.addr), msg.size)))
      return { intact: results.every(r => r.intact), count: results.length }
    }
    case 'peer': {
      const p = await node.peerStore.get(peerIdFromString(msg.peer))
      const agent = p.metadata.get('AgentVersion')
      return { protocols: p.protocols, agent: agent ? new TextDecoder().decode(agent) : null, addrs: p.addresses.map(a => a.multiaddr.toString()) }
    }
    case 'connections':
      return { connections: node.getConnections().map(c => ({ peer: c.remotePeer.toString(), encryption: c.encryption, multiplexer: c.multiplexer, status: c.status })) }
    case 'hangup':
      await node.hangUp(peerIdFromString(msg.peer))
      return {}
    default:
      throw new Error('unknown command ' + msg.cmd)
  }
}

createInterface({ input: process.stdin }).on('line', async (line) => {
  let msg
  try { msg = JSON.parse(line) } catch { return }
  try {
    out({ id: msg.id, ok: true, ...(await run(msg)) })
  } catch (err) {
    out({ id: msg.id, ok: false, error: String(err?.stack ?? err) })
  }
}).on('close', async () => { await node.stop(); process.exit(0) })

out({ event: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()), protocols: node.getProtocols() })
