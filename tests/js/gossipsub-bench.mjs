// A mesh of N js-libp2p nodes (@libp2p/gossipsub 17) in one Node process over real TCP + Noise + Yamux
// on loopback: each node dials `degree` random others, all subscribe, and after the mesh settles M
// messages are published from random nodes at a fixed rate. Latency is receive time minus publish time
// on the same clock. Prints one JSON line: {"impl":"js","nodes","messages","deliveries","expected","p50Ms","p99Ms","msgsPerSec"}.
//   node gossipsub-bench.mjs [--nodes 50] [--degree 8] [--messages 200] [--rate 50]
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'

const arg = (name, def) => {
  const i = process.argv.indexOf('--' + name)
  return i >= 0 ? Number(process.argv[i + 1]) : def
}
const N = arg('nodes', 50)
const degree = arg('degree', 8)
const M = arg('messages', 200)
const rate = arg('rate', 50)
const topic = 'linq/bench/1'
const now = () => performance.now()

const nodes = []
for (let i = 0; i < N; i++) {
  nodes.push(await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    connectionManager: { maxConnections: 1000, inboundConnectionThreshold: 1000 },
    services: {
      identify: identify(),
      pubsub: gossipsub({ emitSelf: false, allowPublishToZeroTopicPeers: true, scoreParams: { IPColocationFactorWeight: 0 } }),
    },
  }))
}
const published = new Map()
const latencies = []
let lastDelivery = 0
nodes.forEach((n) => {
  n.services.pubsub.subscribe(topic)
  n.services.pubsub.addEventListener('message', (evt) => {
    const t = now()
    const id = new TextDecoder().decode(evt.detail.data)
    const start = published.get(id)
    if (start !== undefined) {
      latencies.push(t - start)
      lastDelivery = t
    }
  })
})
for (let i = 0; i < N; i++) {
  const targets = new Set([(i + 1) % N])
  while (targets.size < Math.min(degree, N - 1)) {
    const j = Math.floor(Math.random() * N)
    if (j !== i) targets.add(j)
  }
  await Promise.all([...targets].map((j) => nodes[i].dial(nodes[j].getMultiaddrs()[0]).catch(() => {})))
}
await new Promise((r) => setTimeout(r, 4000))

const first = now()
for (let k = 0; k < M; k++) {
  const id = 'm' + k
  published.set(id, now())
  await nodes[Math.floor(Math.random() * N)].services.pubsub.publish(topic, new TextEncoder().encode(id))
  await new Promise((r) => setTimeout(r, 1000 / rate))
}
await new Promise((r) => setTimeout(r, 3000))
latencies.sort((a, b) => a - b)
const q = (p) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null
const span = (lastDelivery - first) / 1000
const load = (await import("node:os")).loadavg()[0]
process.stdout.write(JSON.stringify({ load,
  impl: 'js', nodes: N, messages: M, deliveries: latencies.length, expected: M * (N - 1),
  p50Ms: q(0.5), p99Ms: q(0.99), msgsPerSec: span > 0 ? M / span : null,
}) + '\n')
await Promise.all(nodes.map((n) => n.stop()))
process.exit(0)
