// The CLI's first words, known to main.ts without loading the CLI: `shoal <verb>` with one of
// these runs src/cli; `shoal --help` lists them. Imports nothing.

export const CLI_VERBS: readonly [string, string][] = [
  ['get', 'list objects or show some (the server prints the columns)'],
  ['describe', 'show an object in detail, with its events'],
  ['apply', 'create or update objects from files, folders or stdin (-f)'],
  ['create', 'create objects from files (-f)'],
  ['delete', 'delete objects by name, label selector (-l), --all or file (-f)'],
  ['edit', 'edit an object in $EDITOR'],
  ['logs', "print a pod's log (-f, --tail, --previous, -c)"],
  ['scale', 'set the replicas of a Deployment or ReplicaSet'],
  ['rollout', 'status | history | undo | restart | pause | resume of a Deployment'],
  ['label', 'add, change or remove labels'],
  ['annotate', 'add, change or remove annotations'],
  ['cordon', 'mark a node unschedulable'],
  ['uncordon', 'mark a node schedulable'],
  ['drain', 'cordon a node and evict its pods'],
  ['top', 'cpu and memory of nodes or pods'],
  ['events', 'list events'],
  ['explain', "a kind's fields"],
  ['image', "components: build | push | ls | inspect | rm (the plane's registry)"],
  ['config', 'contexts in the kubeconfig (shared with kubectl)'],
  ['completion', 'shell completion script: bash or zsh'],
]

export const isCliVerb = (word: string) => CLI_VERBS.some(([v]) => v === word)
