// The columns of server-side printing per kind (kubectl's usual `get` columns). Priority 1
// columns show only with -o wide. Rows (table-rows-*.ts) fill every column, wide ones included.
import { lookupTable } from '../json/index.ts'
import type { TableColumnDefinition } from '../types/index.ts'

type Spec = [name: string, type?: TableColumnDefinition['type'], priority?: number]

const name: Spec = ['Name']
const age: Spec = ['Age']
const wideWorkload: Spec[] = [
  ['Containers', 'string', 1],
  ['Images', 'string', 1],
  ['Selector', 'string', 1],
]

const specs = lookupTable<Spec[]>({
  Pod: [
    name,
    ['Ready'],
    ['Status'],
    ['Restarts'],
    age,
    ['IP', 'string', 1],
    ['Node', 'string', 1],
    ['Nominated Node', 'string', 1],
    ['Readiness Gates', 'string', 1],
  ],
  Node: [
    name,
    ['Status'],
    ['Roles'],
    age,
    ['Version'],
    ['Internal-IP', 'string', 1],
    ['External-IP', 'string', 1],
    ['OS-Image', 'string', 1],
    ['Kernel-Version', 'string', 1],
    ['Container-Runtime', 'string', 1],
  ],
  Namespace: [name, ['Status'], age],
  Service: [
    name,
    ['Type'],
    ['Cluster-IP'],
    ['External-IP'],
    ['Port(s)'],
    age,
    ['Selector', 'string', 1],
  ],
  Endpoints: [name, ['Endpoints'], age],
  Lease: [name, ['Holder'], age],
  EndpointSlice: [name, ['AddressType'], ['Ports'], ['Endpoints'], age],
  Ingress: [name, ['Class'], ['Hosts'], ['Address'], ['Ports'], age],
  Secret: [name, ['Type'], ['Data', 'integer'], age],
  ConfigMap: [name, ['Data', 'integer'], age],
  Event: [
    ['Last Seen'],
    ['Type'],
    ['Reason'],
    ['Object'],
    ['Subobject', 'string', 1],
    ['Source', 'string', 1],
    ['Message'],
    ['First Seen', 'string', 1],
    ['Count', 'integer', 1],
    ['Name', 'string', 1],
  ],
  Deployment: [
    name,
    ['Ready'],
    ['Up-to-date', 'integer'],
    ['Available', 'integer'],
    age,
    ...wideWorkload,
  ],
  ReplicaSet: [
    name,
    ['Desired', 'integer'],
    ['Current', 'integer'],
    ['Ready', 'integer'],
    age,
    ...wideWorkload,
  ],
  DaemonSet: [
    name,
    ['Desired', 'integer'],
    ['Current', 'integer'],
    ['Ready', 'integer'],
    ['Up-to-date', 'integer'],
    ['Available', 'integer'],
    ['Node Selector'],
    age,
    ...wideWorkload,
  ],
  ControllerRevision: [name, ['Controller'], ['Revision', 'integer'], age],
  Job: [name, ['Status'], ['Completions'], ['Duration'], age, ...wideWorkload],
  CronJob: [
    name,
    ['Schedule'],
    ['Timezone'],
    ['Suspend', 'boolean'],
    ['Active', 'integer'],
    ['Last Schedule', 'date'],
    age,
    ...wideWorkload,
  ],
  HorizontalPodAutoscaler: [
    name,
    ['Reference'],
    ['Targets'],
    ['MinPods'],
    ['MaxPods', 'integer'],
    ['Replicas', 'integer'],
    age,
  ],
})

const descriptions = lookupTable<string>({
  Name: 'Name must be unique within a namespace.',
  Age: 'Time since the object was created.',
  Ready: 'The number of ready replicas or containers out of the desired number.',
  Status: 'The aggregate status of the object.',
  Restarts:
    'The number of times the containers of this pod have been restarted, and when the last one was.',
  IP: 'IP address assigned to the pod.',
  Node: 'Name of the node the pod is assigned to.',
  Selector: 'The label selector of the pods this object targets.',
  Containers: 'Names of each container in the template.',
  Images: 'Images referenced by each container in the template.',
})

function column([n, type = 'string', priority = 0]: Spec, kind: string): TableColumnDefinition {
  const isName = n === 'Name' && kind !== 'Event'
  return {
    name: n,
    type,
    format: isName ? 'name' : '',
    description: descriptions[n] ?? '',
    priority,
  }
}

/** The column definitions of a kind; kinds without their own columns get Name and Age. */
export function tableColumns(kind: string): TableColumnDefinition[] {
  return (specs[kind] ?? [name, age]).map((s) => column(s, kind))
}
