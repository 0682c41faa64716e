// One or more Helia 7 nodes (@helia/bitswap over TCP + Noise + Yamux, no routers) on loopback, driven by
// JSON-line commands on stdin. The Bitswap interop peer of LinqP2P.Ipfs.Bitswap.Tests and scripts/bench-bitswap.sh.
//
//   node helia-peer.mjs [--nodes N]
// stdout: {"event":"ready","nodes":[{"peerId","addrs":[...]}]}
//         {"event":"reply","id",...} or {"event":"error","id","message"}
// stdin:  {"cmd":"dial","node":i,"addr","id"}
//         {"cmd":"add","node":i,"path","profile","id"}      -> {"cid"}   (ipfs-unixfs-importer into the node's blockstore)
//         {"cmd":"cat","node":i,"cid","out"?,"id"}          -> {"bytes","sha256","ms"} (fetches over bitswap; writes the file to "out" when given)
//         {"cmd":"has","node":i,"cid","id"}                 -> {"has"}
//         {"cmd":"clear","node":i,"id"}                     -> {"deleted"} (empties the blockstore)
// "profile" is "unixfs-v1-2025", "unixfs-v0-2015" or null (the importer's default).
import { createHelia } from 'helia'
import { unixfs } from '@helia/unixfs'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { multiaddr } from '@multiformats/multiaddr'
import { importer } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import { createReadStream, createWriteStream } from 'node:fs'
import { createHash } from 'node:crypto'
import readline from 'node:readline'

const args = process.argv.slice(2)
const count = args.includes('--nodes') ? Number(args[args.indexOf('--nodes') + 1]) : 1
const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

const nodes = []
for (let i = 0; i < count; i++) {
  const helia = await createHelia({
    libp2p: {
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: [],
      connectionManager: { maxConnections: 1000 },
      services: { identify: identify() },
    },
    routers: [],
  })
  await helia.start()
  nodes.push({ helia, fs: unixfs(helia) })
}

print({ event: 'ready', nodes: nodes.map(({ helia }) => ({ peerId: helia.libp2p.peerId.toString(), addrs: helia.libp2p.getMultiaddrs().map((a) => a.toString()) })) })

async function run (cmd) {
  const { helia, fs } = nodes[cmd.node ?? 0]
  switch (cmd.cmd) {
    case 'dial':
      await helia.libp2p.dial(multiaddr(cmd.addr))
      return {}
    case 'add': {
      let last
      const options = cmd.profile == null ? {} : { profile: cmd.profile }
      for await (const entry of importer([{ content: createReadStream(cmd.path, { highWaterMark: 1 << 20 }) }], helia.blockstore, options)) last = entry
      return { cid: last.cid.toString() }
    }
    case 'cat': {
      const started = performance.now()
      const hash = createHash('sha256')
      const out = cmd.out == null ? null : createWriteStream(cmd.out)
      let bytes = 0
      for await (const chunk of fs.cat(CID.parse(cmd.cid), { signal: AbortSignal.timeout(cmd.timeoutMs ?? 120000) })) {
        hash.update(chunk)
        bytes += chunk.length
        if (out != null && !out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve))
      }
      if (out != null) await new Promise((resolve, reject) => out.end((err) => err == null ? resolve() : reject(err)))
      return { bytes, sha256: hash.digest('hex'), ms: performance.now() - started }
    }
    case 'has':
      return { has: await helia.blockstore.has(CID.parse(cmd.cid)) }
    case 'clear': {
      let deleted = 0
      for await (const { cid } of helia.blockstore.getAll()) {
        await helia.blockstore.delete(cid)
        deleted++
      }
      return { deleted }
    }
    default:
      throw new Error(`unknown command ${cmd.cmd}`)
  }
}

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', (line) => {
  let cmd
  try {
    cmd = JSON.parse(line)
  } catch {
    return
  }
  run(cmd).then(
    (result) => print({ event: 'reply', id: cmd.id, ...result }),
    (err) => print({ event: 'error', id: cmd.id, message: String(err?.stack ?? err) }))
})
rl.on('close', async () => {
  for (const { helia } of nodes) await helia.stop()
  process.exit(0)
})
