// Shell completion: the scripts call `shoal __complete WORD…` (the words so far, the last one
// being completed) and offer what it prints, one candidate a line — verbs, subcommands, resource
// types, flags, and names of objects, nodes and contexts (asked of the plane with a short
// timeout; nothing when it does not answer).
import { allResources } from '../api/index.ts'
import { CLI_VERBS } from './verbs.ts'

export function completionScript(shell: 'bash' | 'zsh'): string {
  if (shell === 'bash')
    return `# shoal bash completion: source <(shoal completion bash)
_shoal() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local IFS=$'\\n'
  COMPREPLY=( $(compgen -W "$(shoal __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "$cur") )
}
complete -o default -F _shoal shoal
`
  return `#compdef shoal
# shoal zsh completion: source <(shoal completion zsh)
_shoal() {
  local -a candidates
  candidates=("\${(@f)$(shoal __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
if (( $+functions[compdef] )); then compdef _shoal shoal; fi
`
}

export const SUBCOMMANDS: Record<string, string[]> = {
  rollout: ['status', 'history', 'undo', 'restart', 'pause', 'resume'],
  top: ['nodes', 'pods'],
  completion: ['bash', 'zsh'],
  image: ['build', 'push', 'ls', 'inspect', 'rm'],
  config: [
    'get-contexts',
    'current-context',
    'use-context',
    'set-context',
    'set-cluster',
    'set-credentials',
    'delete-context',
    'delete-cluster',
    'delete-user',
    'view',
  ],
}

/** flags whose value is the next word (not a positional argument) */
const VALUED = new Set([
  '-n',
  '--namespace',
  '--context',
  '--kubeconfig',
  '-l',
  '--selector',
  '-o',
  '--output',
  '-f',
  '--filename',
  '-c',
  '--container',
])

/** verbs whose second word is a resource type, and the third an object's name */
const TYPED = ['get', 'describe', 'delete', 'edit', 'label', 'annotate', 'scale', 'explain']

export function resourceTypeNames(): string[] {
  return allResources().flatMap((r) => [r.resource, ...r.shortNames])
}

export interface CompletionSources {
  /** the flags of a verb (after its subcommand if any) */
  flags(path: string[]): string[]
  /** object names of a type (the plane asked), [] when it cannot answer */
  names(type: string): Promise<string[]>
  contexts(): string[]
}

/** what to offer for the last of `words` (the words after `shoal`) */
export async function complete(words: string[], s: CompletionSources): Promise<string[]> {
  const cur = words.at(-1) ?? ''
  const prev = words.at(-2)
  if (prev === '-n' || prev === '--namespace') return s.names('namespaces')
  if (prev === '--context') return s.contexts()
  const before = words
    .slice(0, -1)
    .filter((w, i, all) => !w.startsWith('-') && !VALUED.has(all[i - 1]))
  if (!before.length) return CLI_VERBS.map(([v]) => v)
  const verb = before[0]
  const sub = SUBCOMMANDS[verb]
  if (cur.startsWith('-')) return s.flags(sub && before[1] ? [verb, before[1]] : [verb])
  if (sub && before.length === 1) return sub
  if (verb === 'config' && before[1] === 'use-context') return s.contexts()
  if (['cordon', 'uncordon', 'drain'].includes(verb)) return s.names('nodes')
  if (verb === 'logs') return s.names('pods')
  if (verb === 'rollout' && before.length === 2) return ['deployments', 'daemonsets']
  if (verb === 'rollout' && before.length === 3) return s.names(before[2])
  if (!TYPED.includes(verb)) return []
  if (before.length === 1) return resourceTypeNames()
  return s.names(before[1])
}
