import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { waitImports } from './wait-imports.ts'

const imp = (module: string, name: string) => ({ module, name })

test('sleeps, polls, outgoing HTTP and sockets may wait', () => {
  const imports = [
    imp('wasi:clocks/monotonic-clock@0.2.10', 'subscribe-duration'),
    imp('wasi:io/poll@0.2.10', '[method]pollable.block'),
    imp('wasi:io/poll@0.2.12', 'poll'),
    imp('wasi:http/outgoing-handler@0.2.10', 'handle'),
    imp('wasi:sockets/tcp@0.2.10', '[method]tcp-socket.start-connect'),
    imp('wasi:io/poll@0.2.10', 'poll'),
  ]
  assert.equal(waitImports(imports), [
    'wasi:clocks/monotonic-clock@0.2.10#subscribe-duration',
    'wasi:http/outgoing-handler@0.2.10#handle',
    'wasi:io/poll@0.2.10#[method]pollable.block',
    'wasi:io/poll@0.2.10#poll',
    'wasi:io/poll@0.2.12#poll',
    'wasi:sockets/tcp@0.2.10#[method]tcp-socket.start-connect',
  ])
})

test('reading the clock, checking a pollable, streams and plain functions do not', () => {
  const imports = [
    imp('wasi:clocks/monotonic-clock@0.2.10', 'now'),
    imp('wasi:io/poll@0.2.10', '[method]pollable.ready'),
    imp('wasi:io/poll@0.2.10', '[resource-drop]pollable'),
    imp('wasi:io/streams@0.2.12', '[method]output-stream.blocking-write-and-flush'),
    imp('wasi:http/types@0.2.10', '[constructor]outgoing-request'),
    imp('wasi_snapshot_preview1', 'poll_oneoff'),
    imp('env', 'memory'),
  ]
  assert.equal(waitImports(imports), [])
})

test.run()
