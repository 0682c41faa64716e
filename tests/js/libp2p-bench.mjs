// Throughput of one Noise+Yamux stream between two js-libp2p 3 nodes on loopback, for
// scripts/bench-libp2p.sh. Usage: node libp2p-bench.mjs [MiB]. Prints {"mbps":..,"bytes":..,"seconds":..}.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'

const mib = Number(process.argv[2] ?? 64)
const make = () => createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()]
})
const a = await make()
const b = await make()
await b.handle('/linq/bench/1.0.0', async (stream) => {
  let n = 0
  for await (const chunk of stream) n += chunk.byteLength
  stream.send(new Uint8Array([1]))
  await stream.close()
})
const chunk = new Uint8Array(64 * 1024)
const total = mib * 1024 * 1024
async function once () {
  const stream = await a.dialProtocol(b.getMultiaddrs()[0], '/linq/bench/1.0.0')
  const start = performance.now()
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!stream.send(chunk)) await stream.onDrain()
  }
  await stream.close()
  for await (const _ of stream) { /* the one-byte acknowledgement */ }
  return (performance.now() - start) / 1000
}
await once() // warm-up
const runs = []
for (let i = 0; i < 3; i++) runs.push(await once())
const seconds = runs.sort((x, y) => x - y)[1]
process.stdout.write(JSON.stringify({ mbps: (total / 1e6) / seconds, bytes: total, seconds }) + '\n')
await a.stop()
await b.stop()
