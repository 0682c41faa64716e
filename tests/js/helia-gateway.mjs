// Helia 7 fetching over HTTP only, from a trustless gateway (argv[2] = its base URL): blocks come from
// GET /ipfs/CID?format=raw (@helia/trustless-gateway-client) and are hash-checked by Helia, never trusted.
// Commands (JSON lines), each answered with the same "id":
//   {"id", "op": "cat", "cid", "path"?}  -> {"id", "size", "sha256"}
//   {"id", "op": "ls", "cid"}            -> {"id", "entries": [{"name", "cid", "type"}]}
// Failures answer {"id", "error"}.
import { createHash } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fallbackRouter } from '@helia/fallback-router'
import { trustlessGatewayBlockBroker } from '@helia/trustless-gateway-client'
import { unixfs } from '@helia/unixfs'
import { createHeliaLight } from 'helia'
import { CID } from 'multiformats/cid'

// Helia 7 waits forever when it has only fallback routers (its merge of zero default routers never
// goes idle), so one default router that knows no providers comes first.
const noProviders = { name: 'no-providers', async * findProviders () {} }
const helia = await createHeliaLight({
  blockBrokers: [trustlessGatewayBlockBroker({ allowInsecure: true, allowLocal: true })],
  routers: [noProviders, fallbackRouter({ gateways: [process.argv[2]] })]
})
await helia.start()
const fs = unixfs(helia)

async function run (cmd) {
  const cid = CID.parse(cmd.cid)
  if (cmd.op === 'cat') {
    const hash = createHash('sha256')
    let size = 0
    for await (const chunk of fs.cat(cid, cmd.path != null ? { path: cmd.path } : {})) {
      hash.update(chunk)
      size += chunk.length
    }
    return { size, sha256: hash.digest('hex') }
  }
  if (cmd.op === 'ls') {
    const entries = []
    for await (const e of fs.ls(cid)) entries.push({ name: e.name, cid: e.cid.toString(), type: e.type })
    return { entries }
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
await helia.stop()
