// What every service is handed: the database, the clock, the policy in force and the public URL for
// links. Routes and the worker build it from the process singletons (infra/deps.server); tests
// build it with a test clock.
import type { Policy } from '~/domain/policy'
import type { Clock } from '~/infra/clock.server'
import type { Db } from '~/infra/db.server'

export type ServiceDeps = { db: Db; clock: Clock; policy: Policy; appUrl: string }
