// ipfs-unixfs-importer 17 as a JSON-lines peer: the reference our UnixFS importer must match.
// Commands (one JSON object per stdin line), each answered by one line with the same "id":
//   {"id", "op": "bytes", "b64", "profile"}             -> {"id", "cid", "size"}
//   {"id", "op": "file", "path", "profile"}             -> {"id", "cid", "size"}
//   {"id", "op": "dir", "root", "entries", "profile"}   -> {"id", "cid", "size"}
//     entries: [{"path": "a/b.txt", "file": "/abs/path"} | {"path": "empty"} | {"path": "l", "link": "target"}]
// "profile" is "unixfs-v1-2025", "unixfs-v0-2015" or null (the importer's default).
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { importer } from 'ipfs-unixfs-importer'

// Blocks are hashed by the importer; keeping them is not needed to learn the CID.
const blockstore = { put: async (cid) => cid, has: async () => false, get: async () => { throw new Error('no get') } }

function options (profile) {
  return profile == null ? {} : { profile }
}

async function last (source) {
  let result
  for await (const entry of source) result = entry
  return result
}

async function run (cmd) {
  if (cmd.op === 'bytes') {
    const r = await last(importer([{ content: Buffer.from(cmd.b64, 'base64') }], blockstore, options(cmd.profile)))
    return { cid: r.cid.toString(), size: Number(r.size) }
  }
  if (cmd.op === 'file') {
    const r = await last(importer([{ content: createReadStream(cmd.path, { highWaterMark: 1 << 20 }) }], blockstore, options(cmd.profile)))
    return { cid: r.cid.toString(), size: Number(r.size) }
  }
  if (cmd.op === 'dir') {
    const root = cmd.root
    const candidates = cmd.entries.map(e => {
      const path = `${root}/${e.path}`
      if (e.file != null) return { path, content: createReadStream(e.file) }
      if (e.link != null) return { path, link: e.link }
      return { path }
    })
    let rootEntry
    for await (const entry of importer(candidates, blockstore, options(cmd.profile))) {
      if (entry.path === root) rootEntry = entry
    }
    return { cid: rootEntry.cid.toString(), size: Number(rootEntry.size) }
  }
  throw new Error(`unknown op ${cmd.op}`)
}

console.log(JSON.stringify({ event: 'ready' }))
const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (line.trim() === '') continue
  const cmd = JSON.parse(line)
  try {
    console.log(JSON.stringify({ id: cmd.id, ...(await run(cmd)) }))
  } catch (e) {
    console.log(JSON.stringify({ id: cmd.id, error: String(e?.stack ?? e) }))
  }
}
