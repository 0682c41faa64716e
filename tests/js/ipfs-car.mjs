// CARv1 written and read by js code (@ipld/dag-cbor for the header, multiformats for CIDs, varints
// and sha2-256), to check our CAR files against an implementation nobody here wrote.
// Commands (JSON lines), each answered with the same "id":
//   {"id", "op": "read", "path"}                       -> {"id", "roots": [...], "blocks": n, "bytes": n}
//   {"id", "op": "write", "path", "b64", "profile"}    -> {"id", "root"}   (imports b64 with the importer)
import { readFileSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import * as dagCbor from '@ipld/dag-cbor'
import { importer } from 'ipfs-unixfs-importer'
import { varint } from 'multiformats'
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { sha256 } from 'multiformats/hashes/sha2'

function readCar (bytes) {
  let [length, n] = varint.decode(bytes)
  let offset = n
  const header = dagCbor.decode(bytes.subarray(offset, offset + length))
  if (header.version !== 1) throw new Error(`version ${header.version}`)
  offset += length
  let blocks = 0
  let total = 0
  while (offset < bytes.length) {
    [length, n] = varint.decode(bytes.subarray(offset))
    offset += n
    const section = bytes.subarray(offset, offset + length)
    const [cid, rest] = CID.decodeFirst(section)
    const hasher = cid.multihash.code === identity.code ? identity : sha256
    const digest = hasher.digest(rest)
    const d = digest instanceof Promise ? null : digest
    if (d == null || Buffer.compare(Buffer.from(d.bytes), Buffer.from(cid.multihash.bytes)) !== 0) throw new Error(`block ${cid} does not match its hash`)
    blocks++
    total += rest.length
    offset += length
  }
  return { roots: header.roots.map(r => r.toString()), blocks, bytes: total }
}

async function writeCar (path, content, profile) {
  const blocks = []
  const blockstore = { put: async (cid, bytes) => { blocks.push([cid, bytes]); return cid } }
  let root
  for await (const entry of importer([{ content }], blockstore, profile == null ? {} : { profile })) root = entry.cid
  const header = dagCbor.encode({ roots: [root], version: 1 })
  const parts = [varint.encodeTo(header.length, new Uint8Array(varint.encodingLength(header.length))), header]
  for (const [cid, bytes] of blocks) {
    const length = cid.bytes.length + bytes.length
    parts.push(varint.encodeTo(length, new Uint8Array(varint.encodingLength(length))), cid.bytes, bytes)
  }
  writeFileSync(path, Buffer.concat(parts))
  return { root: root.toString() }
}

console.log(JSON.stringify({ event: 'ready' }))
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue
  const cmd = JSON.parse(line)
  try {
    const result = cmd.op === 'read'
      ? readCar(new Uint8Array(readFileSync(cmd.path)))
      : await writeCar(cmd.path, Buffer.from(cmd.b64, 'base64'), cmd.profile)
    console.log(JSON.stringify({ id: cmd.id, ...result }))
  } catch (e) {
    console.log(JSON.stringify({ id: cmd.id, error: String(e?.stack ?? e) }))
  }
}
