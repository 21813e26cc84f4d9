// Two real agents on one plane whose broker is a real Mosquitto: see two-agents.ts.
import { existsSync } from 'node:fs'
import { MOSQUITTO } from '../transport/mosquitto.ts'
import { skipFileWithout } from '../peers.ts'
import { twoAgents } from './two-agents.ts'

skipFileWithout(import.meta.url, 'mosquitto', existsSync(MOSQUITTO), 'apt-get install mosquitto')
twoAgents('mosquitto')
