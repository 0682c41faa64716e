// Import throughput of ipfs-unixfs-importer 17 for scripts/bench-ipfs.sh: the file is read into memory
// first and fed in 1 MiB pieces to an importer whose blockstore keeps nothing, as our benchmark does.
// Prints one JSON line per profile: {"profile", "cid", "bytes", "medianMs", "cpuMs"} (the run with the median wall time).
import { readFileSync } from 'node:fs'
import { importer } from 'ipfs-unixfs-importer'

const [file, runsArg] = process.argv.slice(2)
const runs = Number(runsArg ?? 5)
const content = readFileSync(file)
const blockstore = { put: async (cid) => cid }

async function * pieces () {
  for (let i = 0; i < content.length; i += 1 << 20) yield content.subarray(i, Math.min(content.length, i + (1 << 20)))
}

for (const profile of ['unixfs-v1-2025', 'unixfs-v0-2015']) {
  const times = []
  let cid
  for (let r = 0; r < runs + 1; r++) {
    const start = process.hrtime.bigint()
    const cpuStart = process.cpuUsage()
    let last
    for await (const entry of importer([{ content: pieces() }], blockstore, { profile })) last = entry
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    const cpu = process.cpuUsage(cpuStart)
    cid = last.cid.toString()
    if (r > 0) times.push({ ms, cpuMs: (cpu.user + cpu.system) / 1000 }) // the first run warms up the JIT
  }
  times.sort((a, b) => a.ms - b.ms)
  const median = times[Math.floor(times.length / 2)]
  console.log(JSON.stringify({ profile, cid, bytes: content.length, medianMs: median.ms, cpuMs: median.cpuMs }))
}
