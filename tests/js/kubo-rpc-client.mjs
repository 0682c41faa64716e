// kubo-rpc-client 7.1.0 as a JSON-lines peer, driving a node's Kubo RPC API (argv[2] = base URL).
// Commands (one JSON object per stdin line), each answered by one line with the same "id":
//   {"id", "op": "add", "b64", "options"}             -> {"id", "cid", "size", "path"}
//   {"id", "op": "addAll", "files": [{"path", "b64"} | {"path"}], "options"} -> {"id", "entries": [{"path", "cid", "size"}]}
//   {"id", "op": "cat", "cid", "options"}             -> {"id", "b64"}
//   {"id", "op": "pinLs"}                             -> {"id", "pins": [{"cid", "type"}]}
//   {"id", "op": "blockStat", "cid"}                  -> {"id", "cid", "size"}
//   {"id", "op": "id"}                                -> {"id", "peer"}
// Failures answer {"id", "error"}.
import { createInterface } from 'node:readline'
import { create } from 'kubo-rpc-client'

const client = create({ url: process.argv[2] })

async function collect (source) {
  const chunks = []
  for await (const c of source) chunks.push(c)
  return Buffer.concat(chunks)
}

async function run (cmd) {
  switch (cmd.op) {
    case 'add': {
      const r = await client.add(Buffer.from(cmd.b64, 'base64'), cmd.options ?? {})
      return { cid: r.cid.toString(), size: Number(r.size), path: r.path }
    }
    case 'addAll': {
      const files = cmd.files.map(f => f.b64 != null ? { path: f.path, content: Buffer.from(f.b64, 'base64') } : { path: f.path })
      const entries = []
      for await (const r of client.addAll(files, cmd.options ?? {})) entries.push({ path: r.path, cid: r.cid.toString(), size: Number(r.size) })
      return { entries }
    }
    case 'cat':
      return { b64: (await collect(client.cat(cmd.cid, cmd.options ?? {}))).toString('base64') }
    case 'pinLs': {
      const pins = []
      for await (const p of client.pin.ls()) pins.push({ cid: p.cid.toString(), type: p.type })
      return { pins }
    }
    case 'blockStat': {
      const s = await client.block.stat(cmd.cid)
      return { cid: s.cid.toString(), size: Number(s.size) }
    }
    case 'id': {
      const r = await client.id()
      return { peer: r.id.toString(), agent: r.agentVersion }
    }
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
    console.log(JSON.stringify({ id: cmd.id, error: String(e?.message ?? e) }))
  }
}
