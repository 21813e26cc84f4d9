// EndpointSlice (discovery.k8s.io/v1) as a served kind: what the EndpointSlice controller writes
// and kubectl ≥ 1.31 reads for `describe service` — defaults, validation as
// ValidateEndpointSlice, immutable addressType, its Table row.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyDefaults } from '../defaults/index.ts'
import { tableColumns, tableRow } from '../tables/index.ts'
import { validate, validateUpdate } from '../validation/index.ts'
import type { EndpointSlice, SliceEndpoint } from '../types/index.ts'
import { resourceByKind } from './registry.ts'

const endpoint = (ip: string, o: Partial<SliceEndpoint> = {}): SliceEndpoint => ({
  addresses: [ip],
  conditions: { ready: true, serving: true, terminating: false },
  nodeName: 'pi-1',
  targetRef: { kind: 'Pod', namespace: 'default', name: `web-${ip}`, uid: `u-${ip}` },
  ...o,
})

const slice = (o: Partial<EndpointSlice> = {}): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: 'web-x7k2p',
    namespace: 'default',
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels: { 'kubernetes.io/service-name': 'web' },
  },
  addressType: 'IPv4',
  endpoints: [endpoint('10.0.0.1'), endpoint('10.0.0.2')],
  ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  ...o,
})

const problems = (s: EndpointSlice) => validate(s).map((c) => `${c.field}: ${c.message}`)

test('served as discovery.k8s.io/v1 endpointslices, namespaced, no short name, not in all', () => {
  const info = resourceByKind('EndpointSlice')!
  assert.equal(
    [info.group, info.version, info.resource, info.namespaced, info.shortNames, info.categories],
    ['discovery.k8s.io', 'v1', 'endpointslices', true, [], []],
  )
  assert.equal(info.subresources, [])
})

test('defaults: a port gets name "" and protocol TCP; deprecatedTopology is dropped', () => {
  const s = applyDefaults(
    slice({
      ports: [{ port: 80 }],
      endpoints: [endpoint('10.0.0.1', { deprecatedTopology: { rack: 'a' } })],
    }),
  )
  assert.equal(s.ports, [{ port: 80, name: '', protocol: 'TCP' }])
  assert.is(s.endpoints[0].deprecatedTopology, undefined)
  assert.equal(validate(s), [])
})

test('validation: addressType, addresses of that type and not special, ports unique', () => {
  assert.equal(problems(slice({ addressType: undefined as never })), [
    'addressType: Required value',
  ])
  assert.equal(problems(slice({ addressType: 'IP' as never })), [
    'addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"',
  ])
  assert.equal(
    problems(
      slice({
        endpoints: [
          endpoint('fd00::1'),
          endpoint('127.0.0.1'),
          endpoint('169.254.1.1', { addresses: [] }),
          endpoint('0.0.0.0', { nodeName: 'Pi_1', hostname: 'a.b' }),
        ],
      }),
    ),
    [
      'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
      'endpoints[1].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'endpoints[2].addresses: Required value: must contain at least 1 address',
      'endpoints[3].addresses[0]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
      `endpoints[3].nodeName: Invalid value: "Pi_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      `endpoints[3].hostname: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
  )
  assert.equal(
    problems(
      slice({ addressType: 'FQDN', endpoints: [endpoint('db.example.com'), endpoint('db')] }),
    ),
    [
      'endpoints[1].addresses[0]: Invalid value: "db": should be a domain with at least two segments separated by dots',
    ],
  )
  assert.equal(problems(slice({ addressType: 'IPv6', endpoints: [endpoint('fd00::7')] })), [])
  assert.equal(
    problems(
      slice({
        ports: [
          { name: 'http', protocol: 'TCP', port: 80 },
          { name: 'http', protocol: 'HTTP' as never, port: 81 },
          { name: '', port: 82 },
        ],
      }),
    ),
    [
      'ports[1].name: Duplicate value: "http"',
      'ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'ports[2].protocol: Required value',
    ],
  )
})

test('validation: at most 1000 endpoints a slice, 100 addresses an endpoint', () => {
  const many = Array.from({ length: 1001 }, () => endpoint('10.0.0.1'))
  assert.equal(problems(slice({ endpoints: many })), [
    'endpoints: Too many: 1001: must have at most 1000 items',
  ])
  const wide = endpoint('10.0.0.1', {
    addresses: Array.from({ length: 101 }, (_, i) => `10.1.0.${i + 1}`),
  })
  assert.equal(problems(slice({ endpoints: [wide] })), [
    'endpoints[0].addresses: Too many: 101: must have at most 100 items',
  ])
})

test('addressType is immutable', () => {
  assert.equal(validateUpdate(slice(), slice({ endpoints: [] })), [])
  assert.equal(
    validateUpdate(slice(), slice({ addressType: 'IPv6', endpoints: [] })).map(
      (c) => `${c.field}: ${c.message}`,
    ),
    ['addressType: Invalid value: "IPv6": field is immutable'],
  )
})

test('Table: NAME ADDRESSTYPE PORTS ENDPOINTS AGE, three of each then "+ N more..."', () => {
  assert.equal(
    tableColumns('EndpointSlice').map((c) => c.name),
    ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
  )
  const now = Date.parse('2026-01-01T00:05:00Z')
  assert.equal(tableRow(slice(), now).cells, [
    'web-x7k2p',
    'IPv4',
    '8080',
    '10.0.0.1,10.0.0.2',
    '5m',
  ])
  const five = slice({
    endpoints: [1, 2, 3, 4, 5].map((i) => endpoint(`10.0.0.${i}`)),
    ports: [
      { name: 'a', port: 80 },
      { name: 'b', port: 81 },
      { name: 'all' },
      { name: 'd', port: 83 },
    ],
  })
  assert.equal(tableRow(five, now).cells.slice(2, 4), [
    '80,81,all + 1 more...',
    '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...',
  ])
  assert.equal(tableRow(slice({ endpoints: [], ports: [] }), now).cells.slice(2, 4), [
    '<unset>',
    '<unset>',
  ])
})

test.run()
