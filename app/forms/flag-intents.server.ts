// The case page's flag and note forms (merchant members only).
import type { Actor } from '~/domain/actor'
import { FLAG_COLORS } from '~/models/list-filters'
import type { Clock } from '~/infra/clock.server'
import type { Db } from '~/infra/db.server'
import { ServiceError } from '~/services/errors.server'
import { setCaseNote, setFlag, setOrderNote } from '~/services/flags.server'

export async function runFlagIntent(deps: { db: Db; clock: Clock }, actor: Actor, caseId: string, intent: string, form: FormData): Promise<boolean> {
  if (intent !== 'flag' && intent !== 'order-note' && intent !== 'case-note') return false
  if (actor.kind !== 'MERCHANT') throw new ServiceError('FORBIDDEN')
  if (intent === 'flag') {
    const color = String(form.get('color') ?? '')
    if (color !== '' && !(FLAG_COLORS as readonly string[]).includes(color)) throw new ServiceError('INVALID_INPUT', { field: 'color' })
    await setFlag(deps, actor, caseId, color === '' ? null : (color as (typeof FLAG_COLORS)[number]))
  } else {
    const note = String(form.get('note') ?? '')
    await (intent === 'order-note' ? setOrderNote : setCaseNote)(deps, actor, caseId, note)
  }
  return true
}
