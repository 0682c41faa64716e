// One or more js-libp2p nodes running @libp2p/kad-dht 16 in server mode (TCP, Noise, Yamux, identify,
// ping) on loopback, driven by JSON-line commands on stdin. Used by the Kad interop tests and
// scripts/bench-kad.sh.
//
//   node kad-peer.mjs [--nodes N]
// stdout: {"event":"ready","nodes":[{"peerId","addrs":[...]}]}
//         {"event":"reply","id",...}  (answers to commands carrying an "id")
// stdin:  {"cmd":"dial","node":i,"addr","id"}        dial a multiaddr ending in /p2p/ID
//         {"cmd":"findPeer","node":i,"peer","id"}     -> {"addrs":[...]} or {"addrs":null}
//         {"cmd":"closest","node":i,"peer","id"}      -> {"peers":[...]} (getClosestPeers of a peer id's bytes)
//         {"cmd":"provide","node":i,"cid","id"}        -> {"ok":true}
//         {"cmd":"findProviders","node":i,"cid","max","id"} -> {"providers":[{"peerId","addrs"}]}
//         {"cmd":"table","node":i,"id"}                -> {"peers":[...]} (routing table)
//         {"cmd":"connectAll","id"}                   each js node dials the next one
// Loopback needs two settings that differ from the defaults: peerInfoMapper (the default drops private
// addresses such as 127.0.0.1) and clientMode false (the default waits for a public address).
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import readline from 'node:readline'

const args = process.argv.slice(2)
const count = args.includes('--nodes') ? Number(args[args.indexOf('--nodes') + 1]) : 1

const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

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
      ping: ping(),
      dht: kadDHT({
        protocol: '/ipfs/kad/1.0.0',
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        allowQueryWithZeroPeers: true,
      }),
    },
  })
  nodes.push(node)
}

const info = (n) => ({ peerId: n.peerId.toString(), addrs: n.getMultiaddrs().map((a) => a.toString()) })
print({ event: 'ready', nodes: nodes.map(info) })

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  let cmd
  try {
    cmd = JSON.parse(line)
  } catch {
    return
  }
  const node = nodes[cmd.node ?? 0]
  const started = performance.now()
  const signal = AbortSignal.timeout(cmd.timeout ?? 30000)
  try {
    switch (cmd.cmd) {
      case 'dial':
        await node.dial(multiaddr(cmd.addr), { signal })
        print({ event: 'reply', id: cmd.id, ok: true })
        break
      case 'connectAll':
        for (let i = 0; i + 1 < nodes.length; i++) await nodes[i].dial(nodes[i + 1].getMultiaddrs()[0], { signal })
        print({ event: 'reply', id: cmd.id, ok: true })
        break
      case 'findPeer': {
        // The DHT itself, not libp2p.peerRouting (which answers from the peer store first).
        let addrs = null
        for await (const ev of node.services.dht.findPeer(peerIdFromString(cmd.peer), { signal })) {
          if (ev.name === 'FINAL_PEER') {
            addrs = ev.peer.multiaddrs.map((a) => a.toString())
            break
          }
        }
        print({ event: 'reply', id: cmd.id, addrs, ms: performance.now() - started })
        break
      }
      case 'closest': {
        const peers = []
        for await (const ev of node.services.dht.getClosestPeers(peerIdFromString(cmd.peer).toMultihash().bytes, { signal })) {
          if (ev.name === 'FINAL_PEER') peers.push(ev.peer.id.toString())
        }
        print({ event: 'reply', id: cmd.id, peers, ms: performance.now() - started })
        break
      }
      case 'provide': {
        for await (const ev of node.services.dht.provide(CID.parse(cmd.cid), { signal })) {
          void ev
        }
        print({ event: 'reply', id: cmd.id, ok: true, ms: performance.now() - started })
        break
      }
      case 'findProviders': {
        const found = new Map()
        for await (const ev of node.services.dht.findProviders(CID.parse(cmd.cid), { signal })) {
          if (ev.name !== 'PROVIDER') continue
          for (const p of ev.providers) {
            found.set(p.id.toString(), p.multiaddrs.map((a) => a.toString()))
          }
          if (found.size >= (cmd.max ?? 20)) break
        }
        print({ event: 'reply', id: cmd.id, providers: [...found].map(([peerId, addrs]) => ({ peerId, addrs })), ms: performance.now() - started })
        break
      }
      case 'table': {
        const peers = []
        for (const bucket of node.services.dht.routingTable.kb.toIterable?.() ?? []) peers.push(bucket.peerId.toString())
        print({ event: 'reply', id: cmd.id, peers })
        break
      }
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
