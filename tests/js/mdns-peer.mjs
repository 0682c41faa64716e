// A js-libp2p node with @libp2p/mdns 12 discovery, confined to the loopback interface, printing what it
// discovers as JSON lines. Used by the mDNS interop tests.
//
//   node mdns-peer.mjs --port P
// stdout: {"event":"ready","peerId","addrs":[...]}
//         {"event":"discovered","peerId","addrs":[...]}
//
// @libp2p/mdns passes no interface to multicast-dns, which would then join the group and send on every
// interface (eth0 too). This machine must never send anything off loopback, so before the library loads
// every UDP socket is pinned to 127.0.0.1 for multicast: the group is joined on lo only and
// IP_MULTICAST_IF is 127.0.0.1. The port is the test's own (not 5353) so parallel runs do not mix.
import dgram from 'node:dgram'
import os from 'node:os'

const loopbackOnly = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] })
os.networkInterfaces = loopbackOnly
const addMembership = dgram.Socket.prototype.addMembership
dgram.Socket.prototype.addMembership = function (group) { return addMembership.call(this, group, '127.0.0.1') }
const setMulticastInterface = dgram.Socket.prototype.setMulticastInterface
dgram.Socket.prototype.setMulticastInterface = function () { return setMulticastInterface.call(this, '127.0.0.1') }
const send = dgram.Socket.prototype.send
dgram.Socket.prototype.send = function (...args) {
  // The first send must not go out before the interface is pinned.
  try { setMulticastInterface.call(this, '127.0.0.1') } catch {}
  return send.apply(this, args)
}

const { createLibp2p } = await import('libp2p')
const { tcp } = await import('@libp2p/tcp')
const { noise } = await import('@chainsafe/libp2p-noise')
const { yamux } = await import('@chainsafe/libp2p-yamux')
const { identify } = await import('@libp2p/identify')
const { mdns } = await import('@libp2p/mdns')

const args = process.argv.slice(2)
const port = Number(args[args.indexOf('--port') + 1])
const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  peerDiscovery: [mdns({ port, interval: 500 })],
  services: { identify: identify() },
})
node.addEventListener('peer:discovery', (evt) => {
  print({ event: 'discovered', peerId: evt.detail.id.toString(), addrs: evt.detail.multiaddrs.map((a) => a.toString()) })
})
print({ event: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) })
process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
process.stdin.resume()
