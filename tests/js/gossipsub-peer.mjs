// One or more js-libp2p nodes running @libp2p/gossipsub 17 (TCP, Noise, Yamux, identify) on loopback,
// driven by JSON-line commands on stdin. Used by the gossipsub interop tests and scripts/bench-gossipsub.sh.
//
//   node gossipsub-peer.mjs [--nodes N]
// stdout: {"event":"ready","nodes":[{"peerId","addrs":[...]}]}
//         {"event":"message","node":i,"topic","data"(utf8),"from","seqno","receivedAt"(ms, performance.timeOrigin based)}
//         {"event":"reply","id",...}  (answers to commands carrying an "id")
// stdin:  {"cmd":"dial","node":i,"addr"} {"cmd":"subscribe","node":i,"topic"} {"cmd":"publish","node":i,"topic","data"}
//         {"cmd":"mesh","node":i,"topic","id"} {"cmd":"subscribers","node":i,"topic","id"} {"cmd":"connectAll","id"}
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import readline from 'node:readline'

const args = process.argv.slice(2)
const count = args.includes('--nodes') ? Number(args[args.indexOf('--nodes') + 1]) : 1
const quiet = args.includes('--quiet-messages')

const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const now = () => performance.timeOrigin + performance.now()

const nodes = []
for (let i = 0; i < count; i++) {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    connectionManager: { maxConnections: 1000 },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        emitSelf: false,
        allowPublishToZeroTopicPeers: true,
        // Loopback nodes share one IP; without this js would penalise a mesh of local peers.
        scoreParams: { IPColocationFactorWeight: 0 },
        heartbeatInterval: 1000,
      }),
    },
  })
  const index = i
  node.services.pubsub.addEventListener('message', (evt) => {
    const m = evt.detail
    if (quiet) {
      print({ event: 'message', node: index, topic: m.topic, data: new TextDecoder().decode(m.data), receivedAt: now() })
      return
    }
    print({
      event: 'message',
      node: index,
      topic: m.topic,
      data: new TextDecoder().decode(m.data),
      from: m.type === 'signed' ? m.from.toString() : null,
      seqno: m.type === 'signed' ? m.sequenceNumber.toString() : null,
      receivedAt: now(),
    })
  })
  nodes.push(node)
}

print({ event: 'ready', nodes: nodes.map((n) => ({ peerId: n.peerId.toString(), addrs: n.getMultiaddrs().map((a) => a.toString()) })) })

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  let cmd
  try {
    cmd = JSON.parse(line)
  } catch {
    return
  }
  const node = nodes[cmd.node ?? 0]
  try {
    switch (cmd.cmd) {
      case 'dial':
        await node.dial(multiaddr(cmd.addr))
        print({ event: 'reply', id: cmd.id, ok: true })
        break
      case 'subscribe':
        node.services.pubsub.subscribe(cmd.topic)
        print({ event: 'reply', id: cmd.id, ok: true })
        break
      case 'publish': {
        const r = await node.services.pubsub.publish(cmd.topic, new TextEncoder().encode(cmd.data))
        print({ event: 'reply', id: cmd.id, ok: true, recipients: r.recipients.length, publishedAt: now() })
        break
      }
      case 'mesh':
        print({ event: 'reply', id: cmd.id, peers: node.services.pubsub.getMeshPeers(cmd.topic).map((p) => p.toString()) })
        break
      case 'subscribers':
        print({ event: 'reply', id: cmd.id, peers: node.services.pubsub.getSubscribers(cmd.topic).map((p) => p.toString()) })
        break
      case 'connectRandomly': {
        // Each js node dials `degree` others among the js nodes (a ring plus random links).
        const degree = cmd.degree ?? 6
        for (let i = 0; i < nodes.length; i++) {
          const targets = new Set([(i + 1) % nodes.length])
          while (targets.size < Math.min(degree, nodes.length - 1)) {
            const j = Math.floor(Math.random() * nodes.length)
            if (j !== i) targets.add(j)
          }
          for (const j of targets) {
            await nodes[i].dial(nodes[j].getMultiaddrs()[0])
          }
        }
        print({ event: 'reply', id: cmd.id, ok: true })
        break
      }
      case 'subscribeAll':
        for (const n of nodes) n.services.pubsub.subscribe(cmd.topic)
        print({ event: 'reply', id: cmd.id, ok: true })
        break
      case 'stop':
        await Promise.all(nodes.map((n) => n.stop()))
        process.exit(0)
        break
      default:
        print({ event: 'reply', id: cmd.id, error: 'unknown command ' + cmd.cmd })
    }
  } catch (e) {
    print({ event: 'reply', id: cmd.id, error: String(e?.message ?? e) })
  }
})
