// Two real agents on one plane and its embedded broker: see two-agents.ts.
import { twoAgents } from './two-agents.ts'

twoAgents('embedded')
